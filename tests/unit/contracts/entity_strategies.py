"""Logical values of valid records, per entity (str, int, Decimal, date, datetime, None)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st

from contracts import enums
from tests.unit.contracts.field_strategies import (
    countries,
    currencies,
    dates,
    emails,
    free_text,
    ids,
    maybe,
    money,
    names,
    timestamps,
)

Values = dict[str, Any]


def _customers() -> st.SearchStrategy[Values]:
    return st.fixed_dictionaries(
        {
            "customer_id": ids,
            "email": maybe(emails),
            "first_name": maybe(free_text),
            "last_name": maybe(free_text),
            "country": countries,
            "region": maybe(free_text),
            "city": maybe(free_text),
            "segment": maybe(st.sampled_from(enums.SEGMENTS)),
            "signup_date": maybe(dates),
            "updated_at": timestamps,
        }
    )


def _products() -> st.SearchStrategy[Values]:
    text_fields = ("sku", "name", "category", "subcategory", "brand")
    return st.fixed_dictionaries(
        {
            "product_id": ids,
            **{name: maybe(free_text) for name in text_fields},
            "unit_cost": maybe(money),
            "list_price": maybe(money),
            "rating": maybe(st.decimals(min_value=0, max_value=5, places=1)),
            "updated_at": timestamps,
        }
    )


def _orders() -> st.SearchStrategy[Values]:
    return st.fixed_dictionaries(
        {
            "order_id": ids,
            "customer_id": ids,
            "order_ts": timestamps,
            "status": st.sampled_from(enums.ORDER_STATUSES),
            "channel": maybe(st.sampled_from(enums.SALES_CHANNELS)),
            "campaign_id": maybe(ids),
            "currency": currencies,
            "shipping_amount": maybe(money),
            "payment_method": maybe(st.sampled_from(enums.PAYMENT_METHODS)),
            "updated_at": maybe(timestamps),
        }
    )


@st.composite
def _order_items(draw: st.DrawFn) -> Values:
    quantity = draw(st.integers(min_value=1, max_value=1000))
    unit_price = draw(money)
    share = Decimal(draw(st.integers(min_value=0, max_value=100))) / 100
    discount = (quantity * unit_price * share).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return {
        "order_id": draw(ids),
        "line_number": draw(st.integers(min_value=1, max_value=10_000)),
        "product_id": draw(ids),
        "quantity": quantity,
        "unit_price": unit_price,
        "discount_amount": draw(maybe(st.just(discount))),
    }


@st.composite
def _clickstream(draw: st.DrawFn) -> Values:
    event_type = draw(st.sampled_from(enums.EVENT_TYPES))
    customer_id, anonymous_id = draw(
        st.tuples(ids, st.none()) | st.tuples(st.none(), ids) | st.tuples(ids, ids)
    )
    needs_product = event_type in enums.PRODUCT_EVENT_TYPES
    text_fields = ("page_url", "referrer", "utm_source", "utm_medium", "utm_campaign")
    return {
        "event_id": draw(ids),
        "event_ts": draw(timestamps),
        "customer_id": customer_id,
        "anonymous_id": anonymous_id,
        "event_type": event_type,
        "product_id": draw(ids if needs_product else maybe(ids)),
        "order_id": draw(ids if event_type == "purchase" else maybe(ids)),
        **{name: draw(maybe(free_text)) for name in text_fields},
        "device": draw(maybe(st.sampled_from(enums.DEVICES))),
    }


def _inventory() -> st.SearchStrategy[Values]:
    counts = st.integers(min_value=0, max_value=1_000_000)
    return st.fixed_dictionaries(
        {
            "snapshot_date": dates,
            "product_id": ids,
            "warehouse_id": ids,
            "on_hand": counts,
            "reorder_point": maybe(counts),
        }
    )


@st.composite
def _campaigns(draw: st.DrawFn) -> Values:
    start = draw(dates)
    return {
        "campaign_id": draw(ids),
        "name": draw(names),
        "channel": draw(maybe(st.sampled_from(enums.CAMPAIGN_CHANNELS))),
        "start_date": start,
        "end_date": start + timedelta(days=draw(st.integers(min_value=0, max_value=365))),
        "budget": draw(maybe(money)),
        "discount_pct": draw(maybe(st.decimals(min_value=0, max_value=100, places=2))),
    }


def _reviews() -> st.SearchStrategy[Values]:
    return st.fixed_dictionaries(
        {
            "review_id": ids,
            "order_id": ids,
            "product_id": maybe(ids),
            "customer_id": maybe(ids),
            "rating": st.integers(min_value=1, max_value=5),
            "review_ts": timestamps,
            "title": maybe(free_text),
            "body": maybe(free_text),
        }
    )


_VALUES: dict[str, Callable[[], st.SearchStrategy[Values]]] = {
    "customers": _customers,
    "products": _products,
    "orders": _orders,
    "order_items": _order_items,
    "clickstream": _clickstream,
    "inventory": _inventory,
    "campaigns": _campaigns,
    "reviews": _reviews,
}


@cache
def valid_values(entity: str) -> st.SearchStrategy[Values]:
    """Logical values of a valid record; None means the field is null."""
    return _VALUES[entity]()
