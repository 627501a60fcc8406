"""Enumerated value sets of data dictionary v1 (case-sensitive)."""

from __future__ import annotations

from typing import Literal, get_args

Segment = Literal["bronze", "silver", "gold", "platinum"]
OrderStatus = Literal["placed", "paid", "shipped", "delivered", "cancelled", "returned"]
SalesChannel = Literal["web", "mobile", "marketplace", "store"]
PaymentMethod = Literal["card", "paypal", "bank_transfer", "voucher", "cash_on_delivery", "other"]
EventType = Literal[
    "page_view", "product_view", "add_to_cart", "remove_from_cart", "checkout_start", "purchase"
]
Device = Literal["desktop", "mobile", "tablet"]
CampaignChannel = Literal["email", "social", "search", "display", "affiliate"]

SEGMENTS: tuple[str, ...] = get_args(Segment)
ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatus)
SALES_CHANNELS: tuple[str, ...] = get_args(SalesChannel)
PAYMENT_METHODS: tuple[str, ...] = get_args(PaymentMethod)
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
DEVICES: tuple[str, ...] = get_args(Device)
CAMPAIGN_CHANNELS: tuple[str, ...] = get_args(CampaignChannel)

# Clickstream events that are about one product and so must name it.
PRODUCT_EVENT_TYPES: frozenset[str] = frozenset({"product_view", "add_to_cart", "remove_from_cart"})
