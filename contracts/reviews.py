"""reviews v1: a customer's rating of an order (and optionally of one product)."""

from __future__ import annotations

from contracts.base import ContractModel
from contracts.field_types import Id, Stars, Text, Timestamp


class ReviewsV1(ContractModel):
    ENTITY = "reviews"
    VERSION = 1
    NATURAL_KEY = ("review_id",)
    PARTITION_KEY = ("review_id",)

    review_id: Id
    order_id: Id
    product_id: Id | None = None
    customer_id: Id | None = None
    rating: Stars
    review_ts: Timestamp
    title: Text | None = None
    body: Text | None = None
