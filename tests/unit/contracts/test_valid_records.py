"""Valid records of every entity pass, keep their values, and round-trip canonically."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import ENTITIES, canonical, canonical_json, get_contract, validate_record
from tests.unit.contracts.strategies import (
    MODEST,
    csv_records,
    csv_text,
    json_records,
    valid_values,
)


def _expected(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # a timestamp without offset is UTC
    return value


def _assert_round_trips(entity: str, record: dict[str, Any]) -> None:
    outcome = validate_record(entity, record)
    assert outcome.ok, outcome.errors
    assert outcome.model is not None
    again = validate_record(entity, json.loads(canonical_json(outcome.model)))
    assert again.ok, again.errors
    assert again.model == outcome.model
    assert canonical_json(again.model) == canonical_json(outcome.model)
    assert tuple(canonical(outcome.model)) == tuple(get_contract(entity).model_fields)


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_valid_json_records_pass_and_round_trip(entity: str, data: st.DataObject) -> None:
    _assert_round_trips(entity, data.draw(json_records(entity)))


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_valid_csv_records_pass_and_round_trip(entity: str, data: st.DataObject) -> None:
    _assert_round_trips(entity, data.draw(csv_records(entity)))


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_validated_values_equal_the_values_written(entity: str, data: st.DataObject) -> None:
    values = data.draw(valid_values(entity))
    record = {name: csv_text(value) for name, value in values.items()}
    outcome = validate_record(entity, record)
    assert outcome.model is not None, outcome.errors
    for name, value in values.items():
        if value is not None:
            assert getattr(outcome.model, name) == _expected(value), name


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_csv_and_json_forms_of_one_record_agree(entity: str, data: st.DataObject) -> None:
    values = data.draw(valid_values(entity))
    as_csv = {name: csv_text(value) for name, value in values.items()}
    as_json = {name: value for name, value in as_csv.items() if value != ""}
    from_csv, from_json = validate_record(entity, as_csv), validate_record(entity, as_json)
    assert from_csv.model is not None and from_json.model is not None
    assert canonical(from_csv.model) == canonical(from_json.model)
