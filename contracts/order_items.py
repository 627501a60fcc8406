"""order_items v1: one order line; partitioned by order so an order's lines stay together."""

from __future__ import annotations

from decimal import Context, Decimal

from contracts.base import ContractModel, CrossFieldProblem, cross_field_rules
from contracts.field_types import Id, LineNumber, Money, PositiveCount

# quantity (at most 10 digits) x unit_price (at most 30) computed exactly: the default
# context's 28 digits would round the product and could refuse a valid discount.
_EXACT = Context(prec=80)


class OrderItemsV1(ContractModel):
    ENTITY = "order_items"
    VERSION = 1
    NATURAL_KEY = ("order_id", "line_number")
    PARTITION_KEY = ("order_id",)

    order_id: Id
    line_number: LineNumber
    product_id: Id
    quantity: PositiveCount
    unit_price: Money
    discount_amount: Money = Decimal("0")

    JSON_SCHEMA_RULES = {
        "x-shopflow-rules": [
            {"rule": "at_most_product", "field": "discount_amount",
             "factors": ["quantity", "unit_price"],
             "description": "discount_amount <= quantity x unit_price (cross_field)"},
        ],
    }
    _cross_field = cross_field_rules()

    def cross_field_problems(self) -> list[CrossFieldProblem]:
        line_value = _EXACT.multiply(Decimal(self.quantity), self.unit_price)
        if self.discount_amount > line_value:
            return [
                CrossFieldProblem(
                    "discount_amount",
                    f"discount_amount {self.discount_amount} exceeds quantity x unit_price "
                    f"= {line_value}",
                )
            ]
        return []
