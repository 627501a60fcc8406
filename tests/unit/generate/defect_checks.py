"""What each catalogued defect looks like in a file, written down independently.

Keyed by (entity, defect name) as listed in truth_defects.jsonl; a row that is
not listed must match none of its entity's checks.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from tests.unit.generate.readback import Record

Check = Callable[[Record], bool]
BAD_BYTE = "\udce9"  # how a raw 0xE9 byte reads back through surrogateescape


def _blank(field: str) -> Check:
    return lambda r: not r.get(field)


def _is(field: str, value: str) -> Check:
    return lambda r: r.get(field) == value


def _negative(field: str) -> Check:
    return lambda r: str(r.get(field) or "").startswith("-")


def _bad_byte(field: str) -> Check:
    return lambda r: BAD_BYTE in str(r.get(field) or "")


def _discount_over_line(r: Record) -> bool:
    # The rule between fields only means something once each field is valid.
    try:
        quantity, price = int(r["quantity"]), Decimal(r["unit_price"])
        if quantity <= 0 or price < 0:
            return False
        return Decimal(r.get("discount_amount") or 0) > quantity * price
    except (InvalidOperation, TypeError, ValueError):
        return False


CHECKS: dict[tuple[str, str], Check] = {
    ("orders", "customer_id_missing"): _blank("customer_id"),
    ("orders", "currency_missing"): _blank("currency"),
    ("orders", "order_ts_not_a_timestamp"): _is("order_ts", "yesterday"),
    ("orders", "shipping_not_a_number"): _is("shipping_amount", "free"),
    ("orders", "shipping_negative"): _negative("shipping_amount"),
    ("orders", "status_unknown"): _is("status", "teleported"),
    ("orders", "channel_unknown"): _is("channel", "fax"),
    ("orders", "currency_malformed"): _is("currency", "EURO"),
    ("order_items", "quantity_missing"): _blank("quantity"),
    ("order_items", "quantity_not_a_number"): _is("quantity", "abc"),
    ("order_items", "unit_price_not_a_number"): _is("unit_price", "twelve"),
    ("order_items", "quantity_zero"): _is("quantity", "0"),
    ("order_items", "quantity_negative"): _negative("quantity"),
    ("order_items", "unit_price_negative"): _negative("unit_price"),
    ("order_items", "discount_over_line_value"): _discount_over_line,
    ("clickstream", "event_ts_missing"): lambda r: "event_ts" not in r,
    ("clickstream", "event_ts_not_a_timestamp"): _is("event_ts", "yesterday"),
    ("clickstream", "event_type_unknown"): _is("event_type", "teleport"),
    ("clickstream", "device_unknown"): _is("device", "smart-fridge"),
    ("clickstream", "purchase_without_order"):
        lambda r: r.get("event_type") == "purchase" and not r.get("order_id"),
    ("clickstream", "no_visitor"):
        lambda r: not r.get("customer_id") and not r.get("anonymous_id"),
    ("clickstream", "unknown_key"): lambda r: "coupon_code" in r,
    ("inventory", "on_hand_missing"): _blank("on_hand"),
    ("inventory", "on_hand_not_a_number"): _is("on_hand", "lots"),
    ("inventory", "on_hand_negative"): _negative("on_hand"),
    ("inventory", "reorder_point_negative"): _negative("reorder_point"),
    ("campaigns", "ends_before_start"):
        lambda r: bool(r.get("end_date")) and r["end_date"] < r["start_date"],
    ("campaigns", "name_missing"): _blank("name"),
    ("campaigns", "budget_not_a_number"): _is("budget", "a lot"),
    ("campaigns", "budget_negative"): _negative("budget"),
    ("campaigns", "discount_over_100"): _is("discount_pct", "150"),
    ("campaigns", "channel_unknown"): _is("channel", "carrier_pigeon"),
    ("campaigns", "name_not_utf8"): _bad_byte("name"),
    ("reviews", "rating_missing"): _blank("rating"),
    ("reviews", "rating_not_a_number"): _is("rating", "five"),
    ("reviews", "review_ts_not_a_timestamp"): _is("review_ts", "last week"),
    ("reviews", "rating_too_high"): _is("rating", "7"),
    ("reviews", "rating_zero"): _is("rating", "0"),
    ("reviews", "body_not_utf8"): _bad_byte("body"),
    ("customers", "country_missing"): _blank("country"),
    ("customers", "updated_at_not_a_timestamp"): _is("updated_at", "soon"),
    ("customers", "segment_unknown"): _is("segment", "diamond"),
    ("customers", "email_malformed"): lambda r: "(at)" in str(r.get("email") or ""),
    ("customers", "country_not_iso"): _is("country", "Germany"),
    ("customers", "city_not_utf8"): _bad_byte("city"),
    ("products", "updated_at_missing"): _blank("updated_at"),
    ("products", "list_price_not_a_number"): _is("list_price", "cheap"),
    ("products", "list_price_negative"): _negative("list_price"),
    ("products", "unit_cost_negative"): _negative("unit_cost"),
    ("products", "rating_too_high"): _is("rating", "7.5"),
    ("products", "name_not_utf8"): _bad_byte("name"),
}
# Kinds that are not about a field: the row itself tells.
WHOLE_ROW_KINDS = {"exact_duplicate", "truncated_json"}


def matching_checks(entity: str, record: Record) -> list[str]:
    return [name for (owner, name), check in CHECKS.items()
            if owner == entity and check(record)]
