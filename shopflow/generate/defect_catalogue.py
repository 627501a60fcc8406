"""The defect catalogue: every record-level fault the validator must catch.

Each defective record has exactly one defect and so one expected outcome: a
dead letter with an error code (the values of `contracts.ErrorCode`), or
"duplicate" for an exact repeat the platform must count once. Natural-key
fields are never touched, so a defective record never collides with a valid one.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

Record = dict[str, str | None]
Mutation = Callable[[Record, random.Random], None]

DUPLICATE = "duplicate"
FIELD, TRUNCATE, REPEAT = "field", "truncate", "repeat"
NOT_UTF8_BYTE = "\udce9"  # written with surrogateescape: a raw latin-1 0xE9 byte


@dataclass(frozen=True)
class DefectKind:
    name: str
    code: str
    example: str
    mutate: Mutation | None
    applies: Callable[[Record], bool]
    style: str


def _set(field: str, value: str | None) -> Mutation:
    def mutate(record: Record, rng: random.Random) -> None:
        record[field] = value
    return mutate


def _negated(field: str) -> Mutation:
    def mutate(record: Record, rng: random.Random) -> None:
        record[field] = f"-{record[field]}"
    return mutate


def _positive(field: str) -> Callable[[Record], bool]:
    return lambda record: bool(record.get(field)) and Decimal(str(record[field])) > 0


def _without_discount(record: Record) -> bool:
    # With a discount, a zero or negative line value would also break the
    # discount rule: two defects in one record.
    return not record.get("discount_amount") or Decimal(str(record["discount_amount"])) == 0


def _not_utf8(field: str) -> Mutation:
    def mutate(record: Record, rng: random.Random) -> None:
        record[field] = f"{record.get(field) or 'Caf'} caf{NOT_UTF8_BYTE} cr{NOT_UTF8_BYTE}me"
    return mutate


def _discount_over_line(record: Record, rng: random.Random) -> None:
    line_value = int(str(record["quantity"])) * Decimal(str(record["unit_price"]))
    record["discount_amount"] = str(line_value + Decimal("5.00"))


def _ends_before_start(record: Record, rng: random.Random) -> None:
    start = date.fromisoformat(str(record["start_date"]))
    record["end_date"] = (start - timedelta(days=rng.randint(1, 5))).isoformat()


def _no_visitor(record: Record, rng: random.Random) -> None:
    record["customer_id"] = None
    record["anonymous_id"] = None


def _always(record: Record) -> bool:
    return True


def _kind(name: str, code: str, example: str, mutate: Mutation | None = None,
          applies: Callable[[Record], bool] = _always, style: str = FIELD) -> DefectKind:
    return DefectKind(name, code, example, mutate, applies, style)


_DUPLICATE = _kind("exact_duplicate", DUPLICATE, "the same line written twice", style=REPEAT)

CATALOGUE: dict[str, tuple[DefectKind, ...]] = {
    "orders": (
        _kind("customer_id_missing", "missing_field", "customer_id empty",
              _set("customer_id", None)),
        _kind("currency_missing", "missing_field", "currency empty", _set("currency", None)),
        _kind("order_ts_not_a_timestamp", "invalid_type", 'order_ts "yesterday"',
              _set("order_ts", "yesterday")),
        _kind("shipping_not_a_number", "invalid_type", 'shipping_amount "free"',
              _set("shipping_amount", "free")),
        _kind("shipping_negative", "out_of_range", 'shipping_amount "-4.99"',
              _set("shipping_amount", "-4.99")),
        _kind("status_unknown", "invalid_enum", 'status "teleported"',
              _set("status", "teleported")),
        _kind("channel_unknown", "invalid_enum", 'channel "fax"', _set("channel", "fax")),
        _kind("currency_malformed", "invalid_format", 'currency "EURO"',
              _set("currency", "EURO")),
        _DUPLICATE,
    ),
    "order_items": (
        _kind("quantity_missing", "missing_field", "quantity empty", _set("quantity", None)),
        _kind("quantity_not_a_number", "invalid_type", 'quantity "abc"',
              _set("quantity", "abc")),
        _kind("unit_price_not_a_number", "invalid_type", 'unit_price "twelve"',
              _set("unit_price", "twelve")),
        _kind("quantity_zero", "out_of_range", 'quantity "0"', _set("quantity", "0"),
              applies=_without_discount),
        _kind("quantity_negative", "out_of_range", 'quantity "-2"', _set("quantity", "-2"),
              applies=_without_discount),
        _kind("unit_price_negative", "out_of_range", 'unit_price "-19.90"',
              _negated("unit_price"), applies=_without_discount),
        _kind("discount_over_line_value", "cross_field",
              "discount_amount = quantity x unit_price + 5.00", _discount_over_line),
        _DUPLICATE,
    ),
    "clickstream": (
        _kind("event_ts_missing", "missing_field", "no event_ts key", _set("event_ts", None)),
        _kind("event_ts_not_a_timestamp", "invalid_type", '"event_ts": "yesterday"',
              _set("event_ts", "yesterday")),
        _kind("event_type_unknown", "invalid_enum", '"event_type": "teleport"',
              _set("event_type", "teleport")),
        _kind("device_unknown", "invalid_enum", '"device": "smart-fridge"',
              _set("device", "smart-fridge")),
        _kind("purchase_without_order", "cross_field", "purchase event without order_id",
              _set("order_id", None), applies=lambda r: r.get("event_type") == "purchase"),
        _kind("no_visitor", "cross_field", "neither customer_id nor anonymous_id",
              _no_visitor),
        _kind("unknown_key", "unknown_field", '"coupon_code": "SAVE10" added',
              _set("coupon_code", "SAVE10")),
        _kind("truncated_json", "unparseable", "the JSON line cut off half-way",
              style=TRUNCATE),
        _DUPLICATE,
    ),
    "inventory": (
        _kind("on_hand_missing", "missing_field", "on_hand empty", _set("on_hand", None)),
        _kind("on_hand_not_a_number", "invalid_type", 'on_hand "lots"',
              _set("on_hand", "lots")),
        _kind("on_hand_negative", "out_of_range", 'on_hand "-3"', _set("on_hand", "-3")),
        _kind("reorder_point_negative", "out_of_range", 'reorder_point "-10"',
              _set("reorder_point", "-10")),
        _DUPLICATE,
    ),
    "campaigns": (
        _kind("ends_before_start", "cross_field", "end_date before start_date",
              _ends_before_start),
        _kind("name_missing", "missing_field", "name empty", _set("name", None)),
        _kind("budget_not_a_number", "invalid_type", 'budget "a lot"',
              _set("budget", "a lot")),
        _kind("budget_negative", "out_of_range", 'budget "-5000.00"', _negated("budget"),
              applies=_positive("budget")),
        _kind("discount_over_100", "out_of_range", 'discount_pct "150"',
              _set("discount_pct", "150")),
        _kind("channel_unknown", "invalid_enum", 'channel "carrier_pigeon"',
              _set("channel", "carrier_pigeon")),
        _kind("name_not_utf8", "unparseable", "raw latin-1 byte 0xE9 in name",
              _not_utf8("name")),
        _DUPLICATE,
    ),
    "reviews": (
        _kind("rating_missing", "missing_field", "rating empty", _set("rating", None)),
        _kind("rating_not_a_number", "invalid_type", 'rating "five"', _set("rating", "five")),
        _kind("review_ts_not_a_timestamp", "invalid_type", 'review_ts "last week"',
              _set("review_ts", "last week")),
        _kind("rating_too_high", "out_of_range", 'rating "7"', _set("rating", "7")),
        _kind("rating_zero", "out_of_range", 'rating "0"', _set("rating", "0")),
        _kind("body_not_utf8", "unparseable", "raw latin-1 byte 0xE9 in body",
              _not_utf8("body")),
        _DUPLICATE,
    ),
    "customers": (
        _kind("country_missing", "missing_field", "country empty", _set("country", None)),
        _kind("updated_at_not_a_timestamp", "invalid_type", 'updated_at "soon"',
              _set("updated_at", "soon")),
        _kind("segment_unknown", "invalid_enum", 'segment "diamond"',
              _set("segment", "diamond")),
        _kind("email_malformed", "invalid_format", 'email "anna.mueller(at)example.com"',
              _set("email", "anna.mueller(at)example.com")),
        _kind("country_not_iso", "invalid_format", 'country "Germany"',
              _set("country", "Germany")),
        _kind("city_not_utf8", "unparseable", "raw latin-1 byte 0xE9 in city",
              _not_utf8("city")),
        _DUPLICATE,
    ),
    "products": (
        _kind("updated_at_missing", "missing_field", "updated_at empty",
              _set("updated_at", None)),
        _kind("list_price_not_a_number", "invalid_type", 'list_price "cheap"',
              _set("list_price", "cheap")),
        _kind("list_price_negative", "out_of_range", 'list_price "-24.90"',
              _negated("list_price"), applies=_positive("list_price")),
        _kind("unit_cost_negative", "out_of_range", 'unit_cost "-12.00"',
              _negated("unit_cost"), applies=_positive("unit_cost")),
        _kind("rating_too_high", "out_of_range", 'rating "7.5"', _set("rating", "7.5")),
        _kind("name_not_utf8", "unparseable", "raw latin-1 byte 0xE9 in name",
              _not_utf8("name")),
        _DUPLICATE,
    ),
}
