"""Which fields can carry which defect, per entity, and values that cause it."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from contracts import enums
from contracts.text_checks import country_codes, currency_codes

_NOT_SCALAR = st.sampled_from([{"a": 1}, [1, 2], []])
_BAD_INT = st.sampled_from(["2.5", "abc", "1e3", "3.0", " 3", 2.5, True])
_BAD_DECIMAL = st.sampled_from(["abc", "NaN", "Infinity", "1,50", "1e3", "--1", True])
_BAD_DATE = st.sampled_from(["2026-02-30", "01/03/2026", "2026-03-01T10:00:00", 20260301])
_BAD_TIMESTAMP = st.sampled_from(
    ["2026-03-01", "yesterday", "2026-13-01T00:00:00", "2026-03-01T25:00:00", 1_700_000_000]
)

INTEGER_FIELDS = {
    "order_items": ("line_number", "quantity"),
    "inventory": ("on_hand", "reorder_point"),
    "reviews": ("rating",),
}
DECIMAL_FIELDS = {
    "products": ("unit_cost", "list_price", "rating"),
    "orders": ("shipping_amount",),
    "order_items": ("unit_price", "discount_amount"),
    "campaigns": ("budget", "discount_pct"),
}
DATE_FIELDS = {
    "customers": ("signup_date",),
    "inventory": ("snapshot_date",),
    "campaigns": ("start_date", "end_date"),
}
TIMESTAMP_FIELDS = {
    "customers": ("updated_at",),
    "products": ("updated_at",),
    "orders": ("order_ts", "updated_at"),
    "clickstream": ("event_ts",),
    "reviews": ("review_ts",),
}


def bad_type_values(entity: str, field: str) -> st.SearchStrategy[Any]:
    if field in INTEGER_FIELDS.get(entity, ()):
        return _BAD_INT | _NOT_SCALAR
    if field in DECIMAL_FIELDS.get(entity, ()):
        return _BAD_DECIMAL | _NOT_SCALAR
    if field in DATE_FIELDS.get(entity, ()):
        return _BAD_DATE | _NOT_SCALAR
    if field in TIMESTAMP_FIELDS.get(entity, ()):
        return _BAD_TIMESTAMP | _NOT_SCALAR
    return _NOT_SCALAR | st.integers()


_NEGATIVE = st.integers(min_value=-10_000, max_value=-1).map(lambda n: f"{n / 100:.2f}")
OUT_OF_RANGE: dict[tuple[str, str], st.SearchStrategy[Any]] = {
    ("products", "unit_cost"): _NEGATIVE,
    ("products", "list_price"): _NEGATIVE,
    ("products", "rating"): st.sampled_from(["5.01", "6", "-0.1", "100"]),
    ("orders", "shipping_amount"): _NEGATIVE,
    ("order_items", "line_number"): st.integers(max_value=0),
    ("order_items", "quantity"): st.integers(max_value=0).map(str),
    ("order_items", "unit_price"): _NEGATIVE,
    ("order_items", "discount_amount"): _NEGATIVE,
    ("inventory", "on_hand"): st.integers(max_value=-1) | st.just(2**31),
    ("inventory", "reorder_point"): st.integers(max_value=-1).map(str),
    ("campaigns", "budget"): _NEGATIVE,
    ("campaigns", "discount_pct"): st.sampled_from(["100.01", "-1", "1000"]),
    ("reviews", "rating"): st.integers(min_value=6) | st.integers(max_value=0),
}

ENUM_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("customers", "segment"): enums.SEGMENTS,
    ("orders", "status"): enums.ORDER_STATUSES,
    ("orders", "channel"): enums.SALES_CHANNELS,
    ("orders", "payment_method"): enums.PAYMENT_METHODS,
    ("clickstream", "event_type"): enums.EVENT_TYPES,
    ("clickstream", "device"): enums.DEVICES,
    ("campaigns", "channel"): enums.CAMPAIGN_CHANNELS,
}


def not_in(allowed: tuple[str, ...] | frozenset[str]) -> st.SearchStrategy[str]:
    """Values close to the allowed ones (other letter case) and arbitrary other text."""
    other_case = sorted({value.swapcase() for value in allowed} - set(allowed))
    other = st.text(min_size=1, max_size=12).filter(lambda s: bool(s.strip()) and s not in allowed)
    return st.sampled_from(other_case) | other


def bad_emails() -> st.SearchStrategy[str]:
    fixed = st.sampled_from(["nope", "a@b", "@example.com", "a b@example.com", "a@@b.com"])
    no_at = st.text(min_size=1, max_size=20).filter(lambda s: bool(s.strip()) and "@" not in s)
    return fixed | no_at


FORMAT_DEFECTS: dict[tuple[str, str], st.SearchStrategy[str]] = {
    ("customers", "email"): bad_emails(),
    ("customers", "country"): not_in(country_codes()) | st.sampled_from(["USA", "ZZ", " US"]),
    ("orders", "currency"): not_in(currency_codes()) | st.sampled_from(["EURO", "ZZZ", "EUR "]),
}
