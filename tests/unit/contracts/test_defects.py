"""Each kind of defect gives exactly one error, with its code, on its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import ENTITIES, ErrorCode, fields, required_fields, validate_record
from contracts.enums import PRODUCT_EVENT_TYPES
from tests.unit.contracts import defects
from tests.unit.contracts.strategies import FOCUSED, MODEST, json_records


def assert_single_error(
    entity: str, record: dict[str, Any], code: ErrorCode, field: str | None
) -> None:
    outcome = validate_record(entity, record)
    assert not outcome.ok
    assert outcome.model is None
    assert [(e.code, e.field) for e in outcome.errors] == [(code, field)], outcome.errors
    assert outcome.errors[0].message


def _pairs(table: dict[tuple[str, str], Any]) -> list[tuple[str, str]]:
    return sorted(table)


def _typed_fields() -> list[tuple[str, str]]:
    return [(entity, name) for entity in ENTITIES for name in fields(entity)]


_NULL_FORMS = st.sampled_from(["absent", None, "", "   ", "\t\n"])


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_missing_required_field(entity: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    field = data.draw(st.sampled_from(required_fields(entity)))
    null_form = data.draw(_NULL_FORMS)
    record.pop(field, None)
    if null_form != "absent":
        record[field] = null_form
    assert_single_error(entity, record, ErrorCode.MISSING_FIELD, field)


@pytest.mark.parametrize(("entity", "field"), _typed_fields())
@FOCUSED
@given(data=st.data())
def test_value_of_the_wrong_type(entity: str, field: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    record[field] = data.draw(defects.bad_type_values(entity, field))
    assert_single_error(entity, record, ErrorCode.INVALID_TYPE, field)


@pytest.mark.parametrize(("entity", "field"), _pairs(defects.OUT_OF_RANGE))
@FOCUSED
@given(data=st.data())
def test_value_out_of_range(entity: str, field: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    record[field] = data.draw(defects.OUT_OF_RANGE[(entity, field)])
    assert_single_error(entity, record, ErrorCode.OUT_OF_RANGE, field)


@pytest.mark.parametrize(("entity", "field"), _pairs(defects.ENUM_FIELDS))
@FOCUSED
@given(data=st.data())
def test_value_not_in_the_enum(entity: str, field: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    record[field] = data.draw(defects.not_in(defects.ENUM_FIELDS[(entity, field)]))
    assert_single_error(entity, record, ErrorCode.INVALID_ENUM, field)


@pytest.mark.parametrize(("entity", "field"), _pairs(defects.FORMAT_DEFECTS))
@FOCUSED
@given(data=st.data())
def test_value_in_the_wrong_format(entity: str, field: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    record[field] = data.draw(defects.FORMAT_DEFECTS[(entity, field)])
    assert_single_error(entity, record, ErrorCode.INVALID_FORMAT, field)


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_unknown_json_key(entity: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    key = data.draw(st.from_regex(r"\A[A-Za-z_][A-Za-z0-9_ ]{0,20}\Z"))
    if key in fields(entity):
        key = f"x_{key}"
    record[key] = data.draw(st.none() | st.integers() | st.text())
    assert_single_error(entity, record, ErrorCode.UNKNOWN_FIELD, key)


@MODEST
@given(data=st.data())
def test_discount_over_the_line_value(data: st.DataObject) -> None:
    record = data.draw(json_records("order_items"))
    line_value = int(record["quantity"]) * Decimal(str(record["unit_price"]))
    excess = data.draw(st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2))
    record["discount_amount"] = str(line_value + excess)
    assert_single_error("order_items", record, ErrorCode.CROSS_FIELD, "discount_amount")


@MODEST
@given(data=st.data())
def test_campaign_ending_before_it_starts(data: st.DataObject) -> None:
    record = data.draw(json_records("campaigns"))
    record["start_date"], record["end_date"] = (
        "2026-03-10",
        data.draw(st.sampled_from(["2026-03-09", "2025-12-31", "2000-01-01"])),
    )
    assert_single_error("campaigns", record, ErrorCode.CROSS_FIELD, "end_date")


@MODEST
@given(data=st.data())
def test_click_without_customer_or_anonymous_id(data: st.DataObject) -> None:
    record = data.draw(json_records("clickstream"))
    for name in ("customer_id", "anonymous_id"):
        record.pop(name, None)
        null_form = data.draw(_NULL_FORMS)
        if null_form != "absent":
            record[name] = null_form
    assert_single_error("clickstream", record, ErrorCode.CROSS_FIELD, "customer_id,anonymous_id")


@MODEST
@given(data=st.data(), event_type=st.sampled_from(sorted(PRODUCT_EVENT_TYPES)))
def test_product_event_without_product_id(data: st.DataObject, event_type: str) -> None:
    record = data.draw(json_records("clickstream"))
    record["event_type"] = event_type
    record.pop("product_id", None)
    assert_single_error("clickstream", record, ErrorCode.CROSS_FIELD, "product_id")


@MODEST
@given(data=st.data())
def test_purchase_without_order_id(data: st.DataObject) -> None:
    record = data.draw(json_records("clickstream"))
    record["event_type"] = "purchase"
    record["order_id"] = data.draw(st.sampled_from([None, "", " "]))
    assert_single_error("clickstream", record, ErrorCode.CROSS_FIELD, "order_id")


def test_every_cross_field_problem_is_reported() -> None:
    record = {"event_id": "e1", "event_ts": "2026-03-01T10:00:00Z", "event_type": "purchase"}
    outcome = validate_record("clickstream", record)
    assert [(e.code, e.field) for e in outcome.errors] == [
        (ErrorCode.CROSS_FIELD, "customer_id,anonymous_id"),
        (ErrorCode.CROSS_FIELD, "order_id"),
    ]
