"""products v1: one product; price changes arrive as new versions (SCD2)."""

from __future__ import annotations

from contracts.base import ContractModel
from contracts.field_types import Id, Money, Rating, Text, Timestamp


class ProductsV1(ContractModel):
    ENTITY = "products"
    VERSION = 1
    NATURAL_KEY = ("product_id",)
    PARTITION_KEY = ("product_id",)

    product_id: Id
    sku: Text | None = None
    name: Text | None = None
    category: Text | None = None
    subcategory: Text | None = None
    brand: Text | None = None
    unit_cost: Money | None = None
    list_price: Money | None = None
    rating: Rating | None = None
    updated_at: Timestamp
