"""Nothing is rounded or reinterpreted silently (issue 12 item 5, decision 0055).

A value is kept exactly as written, or the record is a dead letter with a code: JSON
numbers are read exactly (never through a binary float), digits are ASCII only, and
timestamps keep at most microseconds. Each case below was changed silently before.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from contracts import ErrorCode, canonical, canonical_json, validate_json, validate_record
from contracts.registry import get_contract

ITEM = '{{"order_id": "o1", "line_number": 1, "product_id": "p1", "quantity": {quantity}, ' \
       '"unit_price": {unit_price}}}'
PRODUCT = '{{"product_id": "p1", "rating": {rating}, "updated_at": {updated_at}}}'
ORDER = {"order_id": "o1", "customer_id": "c1", "order_ts": "2026-03-01T10:15:00Z",
         "status": "paid", "currency": "EUR"}


def _item(quantity: str = "1", unit_price: str = '"19.90"') -> str:
    return ITEM.format(quantity=quantity, unit_price=unit_price)


def _product(rating: str = "null", updated_at: str = '"2026-03-01T10:15:00Z"') -> str:
    return PRODUCT.format(rating=rating, updated_at=updated_at)


def _canonical_of(entity: str, text: str) -> dict[str, Any]:
    outcome = validate_json(entity, text)
    assert outcome.model is not None, outcome.errors
    return canonical(outcome.model)


def _only_error(outcome: Any) -> tuple[ErrorCode, str | None, str]:
    assert not outcome.ok
    assert len(outcome.errors) == 1, outcome.errors
    error = outcome.errors[0]
    return error.code, error.field, error.message


# --- JSON numbers for decimal fields: every digit as written, or out_of_range ----------


@pytest.mark.parametrize(("written", "kept"), [
    ("1234567.123456789012", "1234567.123456789012"),  # a float keeps 1234567.123456789
    ("123456789012345678.5", "123456789012345678.50"),  # a float: 123456789012345680
    ("999999999999999999.999999999999", "999999999999999999.999999999999"),
    ("0.123456789012", "0.123456789012"),
    ("19.90", "19.90"),
    ("1e2", "100.00"),
    ("1.5e-3", "0.0015"),
    ("-0.0", "0.00"),
    ("7", "7.00"),
])
def test_json_number_for_money_keeps_every_digit(written: str, kept: str) -> None:
    record = _canonical_of("order_items", _item(unit_price=written))
    assert record["unit_price"] == kept
    assert Decimal(record["unit_price"]) == Decimal(written)


@pytest.mark.parametrize("written", [
    "19.9000000000000001",  # a float reads 19.9
    "19.9000000000000000",  # 16 fractional digits as written, as "19.9000000000000000" text
    "0.1234567890123",
    "1e-13",
    "0.30000000000000004",
])
def test_json_number_with_more_fractional_digits_than_the_contract_is_out_of_range(
        written: str) -> None:
    code, field, message = _only_error(validate_json("order_items", _item(unit_price=written)))
    assert (code, field) == (ErrorCode.OUT_OF_RANGE, "unit_price")
    assert str(Decimal(written)) in message and "fractional digits" in message


@pytest.mark.parametrize("written", ["4.9999999999999999", "5.0000000000000001"])
def test_json_number_rating_is_not_rounded_to_five(written: str) -> None:
    code, field, _ = _only_error(validate_json("products", _product(rating=written)))
    assert (code, field) == (ErrorCode.OUT_OF_RANGE, "rating")


def test_json_number_too_large_for_a_float_is_out_of_range_not_infinity() -> None:
    code, field, message = _only_error(validate_json("order_items", _item(unit_price="1e400")))
    assert (code, field) == (ErrorCode.OUT_OF_RANGE, "unit_price")
    assert "1E+400" in message


def test_number_and_text_of_the_same_digits_get_the_same_verdict() -> None:
    for digits in ("1234567.123456789012", "19.9000000000000001", "123456789012345678.5",
                   "4.9999999999999999", "0.1234567890123"):
        as_number = validate_json("order_items", _item(unit_price=digits))
        as_text = validate_json("order_items", _item(unit_price=json.dumps(digits)))
        assert as_number.ok == as_text.ok, digits
        assert as_number.error_codes() == as_text.error_codes(), digits
        if as_text.model is not None:
            assert canonical_json(as_number.model) == canonical_json(as_text.model)  # type: ignore[arg-type]


def test_exact_value_survives_the_canonical_round_trip() -> None:
    first = validate_json("order_items", _item(unit_price="1234567.123456789012"))
    assert first.model is not None
    again = validate_json("order_items", canonical_json(first.model))
    assert again.model == first.model
    assert again.model is not None and again.model.unit_price == Decimal("1234567.123456789012")


def test_bytes_input_is_read_exactly_too() -> None:
    outcome = validate_json("order_items", _item(unit_price="1234567.123456789012").encode())
    assert outcome.model is not None
    assert outcome.model.unit_price == Decimal("1234567.123456789012")  # type: ignore[attr-defined]


def test_an_exact_number_and_other_errors_are_all_reported() -> None:
    text = ('{"order_id": "o1", "line_number": 0, "product_id": "p1", "quantity": 2.5, '
            '"unit_price": 19.9000000000000001, "colour": 1.5}')
    errors = {(e.code, e.field) for e in validate_json("order_items", text).errors}
    assert errors == {(ErrorCode.OUT_OF_RANGE, "line_number"),
                      (ErrorCode.INVALID_TYPE, "quantity"),
                      (ErrorCode.OUT_OF_RANGE, "unit_price"),
                      (ErrorCode.UNKNOWN_FIELD, "colour")}


def test_the_internal_reread_signal_never_reaches_a_verdict() -> None:
    # pydantic-core alone refuses the float (it cannot tell 19.9 from 19.9000000000000001);
    # validate_json reads the record again exactly and gives a real verdict.
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="needs_exact_number"):
        get_contract("order_items").model_validate_json(_item(unit_price="19.9"))
    outcome = validate_json("order_items", _item(unit_price="19.9"))
    assert outcome.ok
    bad = validate_json("order_items", _item(quantity="2.5", unit_price="19.9"))
    assert {e.code for e in bad.errors} <= set(ErrorCode)
    assert bad.error_codes() == [ErrorCode.INVALID_TYPE]


def test_a_mapping_with_exact_decimals_is_read_exactly() -> None:
    record = json.loads(_item(unit_price="1234567.123456789012"), parse_float=Decimal)
    outcome = validate_record("order_items", record)
    assert outcome.model is not None
    assert outcome.model.unit_price == Decimal("1234567.123456789012")  # type: ignore[attr-defined]


def test_discount_check_multiplies_exactly() -> None:
    # 3 x 123456789012345678.123456789012 has 31 digits; with 28 (the default decimal
    # context) the product rounds down and a discount equal to it was refused.
    unit_price = "123456789012345678.123456789012"
    exact = "370370367037037034.370370367036"
    record = {"order_id": "o1", "line_number": 1, "product_id": "p1", "quantity": 3,
              "unit_price": unit_price, "discount_amount": exact}
    assert validate_json("order_items", json.dumps(record)).ok
    assert validate_record("order_items", record).ok
    record["discount_amount"] = "370370367037037034.370370367037"
    assert validate_record("order_items", record).error_codes() == [ErrorCode.CROSS_FIELD]


# --- JSON numbers for integer fields: whole numbers exactly, nothing else ---------------


@pytest.mark.parametrize(("written", "value"), [
    ("2.0", 2), ("1e2", 100), ("1E0", 1), ("21474836.47e2", 2147483647), ("-0.0", None),
])
def test_whole_json_numbers_are_integers(written: str, value: int | None) -> None:
    outcome = validate_json("order_items", _item(quantity=written))
    if value is None:  # -0.0 is 0, which quantity (> 0) refuses
        assert outcome.error_codes() == [ErrorCode.OUT_OF_RANGE]
        return
    assert outcome.model is not None, outcome.errors
    assert outcome.model.quantity == value  # type: ignore[attr-defined]
    assert type(outcome.model.quantity) is int  # type: ignore[attr-defined]


@pytest.mark.parametrize("written", ["2.00000000000000001", "2.5", "1.0000000000000000001"])
def test_json_numbers_with_a_fraction_are_not_integers(written: str) -> None:
    code, field, message = _only_error(validate_json("order_items", _item(quantity=written)))
    assert (code, field) == (ErrorCode.INVALID_TYPE, "quantity")
    assert written in message


@pytest.mark.parametrize("written", ["1e20", "1e400", "2147483648.0", "-1e400"])
def test_huge_json_numbers_for_integers_are_out_of_range(written: str) -> None:
    code, field, _ = _only_error(validate_json("order_items", _item(quantity=written)))
    assert (code, field) == (ErrorCode.OUT_OF_RANGE, "quantity")


# --- Digits are ASCII only --------------------------------------------------------------

# Arabic-Indic (U+0660..), fullwidth (U+FF10..) and Devanagari (U+0966..) digits
NON_ASCII_DIGITS = ["\u0661\u0662\u0663", "\uff11\uff12", "\u0663", "\u0967\u0968",
                    "\uff11\uff12.\uff15\uff10", "\u0661\u0662\u0663.\u0665"]


@pytest.mark.parametrize("digits", NON_ASCII_DIGITS)
@pytest.mark.parametrize(("entity", "field", "record"), [
    ("order_items", "quantity", {"order_id": "o1", "line_number": "1", "product_id": "p1",
                                 "unit_price": "1"}),
    ("order_items", "unit_price", {"order_id": "o1", "line_number": "1", "product_id": "p1",
                                   "quantity": "1"}),
    ("products", "rating", {"product_id": "p1", "updated_at": "2026-03-01T10:15:00Z"}),
    ("reviews", "rating", {"review_id": "r1", "order_id": "o1",
                           "review_ts": "2026-03-01T10:15:00Z"}),
    ("inventory", "on_hand", {"snapshot_date": "2026-03-01", "product_id": "p1",
                              "warehouse_id": "w1"}),
])
def test_non_ascii_digits_are_not_numbers(entity: str, field: str, record: dict[str, str],
                                          digits: str) -> None:
    row = {**record, field: digits}  # a CSV row: every cell is text
    for outcome in (validate_record(entity, row),
                    validate_json(entity, json.dumps(row, ensure_ascii=False)),
                    validate_json(entity, json.dumps(row))):  # \\u escapes
        assert [(e.code, e.field) for e in outcome.errors] == [(ErrorCode.INVALID_TYPE, field)]


@pytest.mark.parametrize("text", ["\u0662\u0660\u0662\u0666-\u0660\u0663-\u0660\u0661",
                                  "2026-03-0\u0661", "\uff12\uff10\uff12\uff16-03-01"])
def test_non_ascii_digits_are_not_dates(text: str) -> None:
    row = {"snapshot_date": text, "product_id": "p1", "warehouse_id": "w1", "on_hand": "1"}
    for outcome in (validate_record("inventory", row),
                    validate_json("inventory", json.dumps(row, ensure_ascii=False))):
        assert [(e.code, e.field) for e in outcome.errors] == [
            (ErrorCode.INVALID_TYPE, "snapshot_date")]


@pytest.mark.parametrize("text", ["2026-03-01T10:15:0\u0660Z", "2026-03-01T1\u0660:15:00Z",
                                  "2026-03-01T10:15:00.\u0661\u0662Z",
                                  "2026-03-01T10:15:00+0\u0661:00"])
def test_non_ascii_digits_are_not_timestamps(text: str) -> None:
    row = {**ORDER, "order_ts": text}
    for outcome in (validate_record("orders", row),
                    validate_json("orders", json.dumps(row, ensure_ascii=False))):
        assert [(e.code, e.field) for e in outcome.errors] == [(ErrorCode.INVALID_TYPE, "order_ts")]


# --- Timestamps: at most microseconds, never truncated ----------------------------------


@pytest.mark.parametrize("text", [
    "2026-03-01T10:15:00.1234567Z",
    "2026-03-01T10:15:00.12345678Z",
    "2026-03-01T10:15:00.123456789Z",
    "2026-03-01T10:15:00.1234560Z",  # as written: 7 digits, like decimals' written digits
    "2026-03-01 10:15:00,123456789+01:00",
    "2026-03-01T10:15:00.1234567890123",
])
def test_timestamps_finer_than_microseconds_are_out_of_range(text: str) -> None:
    row = {**ORDER, "order_ts": text}
    for outcome in (validate_record("orders", row), validate_json("orders", json.dumps(row))):
        code, field, message = _only_error(outcome)
        assert (code, field) == (ErrorCode.OUT_OF_RANGE, "order_ts")
        assert "6 fractional second digits" in message and text in message


def test_two_versions_no_longer_tie_after_truncation() -> None:
    # Before, both became 10:15:00.123456 and the later version could not be told apart.
    first = validate_json("products", _product(updated_at='"2026-03-01T10:15:00.1234561Z"'))
    second = validate_json("products", _product(updated_at='"2026-03-01T10:15:00.1234569Z"'))
    assert first.error_codes() == second.error_codes() == [ErrorCode.OUT_OF_RANGE]


@pytest.mark.parametrize(("text", "kept"), [
    ("2026-03-01T10:15:00.123456Z", "2026-03-01T10:15:00.123456Z"),
    ("2026-03-01T10:15:00.1Z", "2026-03-01T10:15:00.100000Z"),
    ("2026-03-01T11:15:00,000001+01:00", "2026-03-01T10:15:00.000001Z"),
    ("2026-03-01T10:15:00.000000", "2026-03-01T10:15:00Z"),
])
def test_up_to_six_fractional_digits_are_kept_exactly(text: str, kept: str) -> None:
    row = {**ORDER, "order_ts": text}
    for outcome in (validate_record("orders", row), validate_json("orders", json.dumps(row))):
        assert outcome.model is not None, outcome.errors
        assert canonical(outcome.model)["order_ts"] == kept
