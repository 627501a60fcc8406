"""orders v1: an order header; status changes arrive as new versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Self

from pydantic import model_validator

from contracts.base import ContractModel
from contracts.enums import OrderStatus, PaymentMethod, SalesChannel
from contracts.field_types import CurrencyCode, Id, Money, Timestamp


class OrdersV1(ContractModel):
    ENTITY = "orders"
    VERSION = 1
    NATURAL_KEY = ("order_id",)
    PARTITION_KEY = ("order_id",)

    order_id: Id
    customer_id: Id
    order_ts: Timestamp
    status: OrderStatus
    channel: SalesChannel | None = None
    campaign_id: Id | None = None
    currency: CurrencyCode
    shipping_amount: Money = Decimal("0")
    payment_method: PaymentMethod | None = None
    # None only before validation: a missing updated_at becomes order_ts.
    updated_at: Timestamp | None = None

    @model_validator(mode="after")
    def _default_updated_at_to_order_ts(self) -> Self:
        if self.updated_at is None:
            # The model is frozen; pydantic documents object.__setattr__ for this case.
            object.__setattr__(self, "updated_at", self.order_ts)
        return self
