"""How values are read from CSV/JSON and how they are written in canonical form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from contracts import ErrorCode, canonical, validate_record

ITEM = {"order_id": "o1", "line_number": "1", "product_id": "p1", "quantity": "2"}
ORDER = {
    "order_id": "o1",
    "customer_id": "c1",
    "order_ts": "2026-03-01T10:15:00Z",
    "status": "paid",
    "currency": "EUR",
}


def _item(**changes: Any) -> dict[str, Any]:
    return {**ITEM, "unit_price": "19.90", **changes}


def _canonical(entity: str, record: dict[str, Any]) -> dict[str, Any]:
    outcome = validate_record(entity, record)
    assert outcome.model is not None, outcome.errors
    return canonical(outcome.model)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("19.9", "19.90"),
        ("19.90", "19.90"),
        ("20", "20.00"),
        ("0", "0.00"),
        ("19.999", "19.999"),
        ("19.900", "19.90"),
        (19.9, "19.90"),
        (20, "20.00"),
        ("007.5", "7.50"),
        (".5", "0.50"),
    ],
)
def test_money_has_two_places_and_is_never_rounded(given: Any, expected: str) -> None:
    assert _canonical("order_items", _item(unit_price=given))["unit_price"] == expected


@pytest.mark.parametrize(
    ("given", "expected"), [("4.50", "4.5"), ("5", "5"), (4.0, "4"), ("0.0", "0")]
)
def test_other_decimals_are_plain_text(given: Any, expected: str) -> None:
    record = {"product_id": "p1", "rating": given, "updated_at": "2026-03-01T00:00:00Z"}
    assert _canonical("products", record)["rating"] == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2026-03-01T10:15:00Z", "2026-03-01T10:15:00Z"),
        ("2026-03-01T10:15:00", "2026-03-01T10:15:00Z"),
        ("2026-03-01 10:15", "2026-03-01T10:15:00Z"),
        ("2026-03-01T11:15:00+01:00", "2026-03-01T10:15:00Z"),
        ("2026-03-01T05:15:00.250-05:00", "2026-03-01T10:15:00.250000Z"),
        ("2026-03-01T00:30:00+01:00", "2026-02-28T23:30:00Z"),
    ],
)
def test_timestamps_become_utc_with_z(given: str, expected: str) -> None:
    assert _canonical("orders", {**ORDER, "order_ts": given})["order_ts"] == expected


def test_defaults_are_applied() -> None:
    order = _canonical("orders", ORDER)
    assert order["shipping_amount"] == "0.00"
    assert order["updated_at"] == order["order_ts"]
    assert order["channel"] is None
    assert _canonical("order_items", _item())["discount_amount"] == "0.00"


def test_empty_csv_cells_are_null_and_defaults_apply() -> None:
    order = _canonical("orders", {**ORDER, "shipping_amount": "", "updated_at": "", "channel": ""})
    assert (order["shipping_amount"], order["updated_at"]) == ("0.00", "2026-03-01T10:15:00Z")


@pytest.mark.parametrize("quantity", ["3", 3, 3.0, "+3"])
def test_integers_from_text_or_json(quantity: Any) -> None:
    assert _canonical("order_items", _item(quantity=quantity))["quantity"] == 3


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("quantity", "2.5", ErrorCode.INVALID_TYPE),
        ("quantity", True, ErrorCode.INVALID_TYPE),
        ("quantity", "9" * 50, ErrorCode.OUT_OF_RANGE),
        ("unit_price", "NaN", ErrorCode.INVALID_TYPE),
        ("unit_price", float("inf"), ErrorCode.INVALID_TYPE),
        ("unit_price", "1e3", ErrorCode.INVALID_TYPE),
        ("unit_price", "1" * 30, ErrorCode.OUT_OF_RANGE),
        ("unit_price", "0.0000000000001", ErrorCode.OUT_OF_RANGE),
    ],
)
def test_numbers_that_are_not_accepted(field: str, value: Any, code: ErrorCode) -> None:
    outcome = validate_record("order_items", _item(**{field: value}))
    assert [(e.code, e.field) for e in outcome.errors] == [(code, field)]


def test_discount_equal_to_the_line_value_is_fine() -> None:
    assert _canonical("order_items", _item(discount_amount="39.80"))["discount_amount"] == "39.80"


def test_equal_start_and_end_dates_are_fine() -> None:
    record = {"campaign_id": "c", "name": "n", "start_date": "2026-03-01", "end_date": "2026-03-01"}
    assert _canonical("campaigns", record)["end_date"] == "2026-03-01"


def test_whitespace_in_optional_non_text_field_is_null() -> None:
    assert _canonical("order_items", _item(discount_amount="  "))["discount_amount"] == "0.00"


def test_model_values_have_python_types() -> None:
    outcome = validate_record("order_items", _item())
    assert outcome.model is not None
    assert outcome.model.unit_price == Decimal("19.90")  # type: ignore[attr-defined]
    assert outcome.model.natural_key_values() == ("o1", 1)
    assert outcome.model.partition_key_values() == ("o1",)
