"""clickstream v1: one web/app event of a known customer or an anonymous visitor."""

from __future__ import annotations

from typing import Any

from contracts.base import ContractModel, CrossFieldProblem, cross_field_rules
from contracts.enums import PRODUCT_EVENT_TYPES, Device, EventType
from contracts.field_types import BLANK, Id, Text, Timestamp


def _present(name: str) -> dict[str, Any]:
    """The field is there and neither null nor blank (its own schema checks the rest)."""
    blank = {"anyOf": [{"type": "null"}, {"type": "string", "pattern": BLANK}]}
    return {"required": [name], "properties": {name: {"not": blank}}}


def _is(name: str, values: list[str]) -> dict[str, Any]:
    return {"required": [name], "properties": {name: {"enum": values}}}


class ClickstreamV1(ContractModel):
    ENTITY = "clickstream"
    VERSION = 1
    NATURAL_KEY = ("event_id",)
    PARTITION_KEY = ("event_id",)

    event_id: Id
    event_ts: Timestamp
    customer_id: Id | None = None
    anonymous_id: Id | None = None
    event_type: EventType
    product_id: Id | None = None
    order_id: Id | None = None
    page_url: Text | None = None
    referrer: Text | None = None
    utm_source: Text | None = None
    utm_medium: Text | None = None
    utm_campaign: Text | None = None
    device: Device | None = None

    JSON_SCHEMA_RULES = {
        "allOf": [
            {"anyOf": [_present("customer_id"), _present("anonymous_id")]},
            {"if": _is("event_type", sorted(PRODUCT_EVENT_TYPES)),
             "then": _present("product_id")},
            {"if": _is("event_type", ["purchase"]), "then": _present("order_id")},
        ],
    }
    _cross_field = cross_field_rules()

    def cross_field_problems(self) -> list[CrossFieldProblem]:
        problems = []
        if self.customer_id is None and self.anonymous_id is None:
            problems.append(
                CrossFieldProblem(
                    "customer_id,anonymous_id", "one of customer_id or anonymous_id is required"
                )
            )
        if self.event_type in PRODUCT_EVENT_TYPES and self.product_id is None:
            problems.append(
                CrossFieldProblem("product_id", f"product_id is required for {self.event_type}")
            )
        if self.event_type == "purchase" and self.order_id is None:
            problems.append(CrossFieldProblem("order_id", "order_id is required for purchase"))
        return problems
