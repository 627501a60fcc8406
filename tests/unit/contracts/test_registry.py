"""The registry: entities, versions, fields, keys, header checks and odd input."""

from __future__ import annotations

from typing import Any

import pytest

import contracts
from contracts import (
    ENTITIES,
    ErrorCode,
    FieldError,
    UnknownContractError,
    fields,
    get_contract,
    header_problem,
    latest_version,
    natural_key,
    partition_key,
    required_fields,
    validate_record,
)
from contracts.errors import FILE_ERROR_CODES, RECORD_ERROR_CODES
from contracts.validate import unparseable


def test_entities_in_dictionary_order() -> None:
    assert ENTITIES == (
        "customers", "products", "orders", "order_items",
        "clickstream", "inventory", "campaigns", "reviews",
    )  # fmt: skip


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_has_a_v1_that_is_the_latest(entity: str) -> None:
    assert latest_version(entity) == 1
    model = get_contract(entity)
    assert entity == model.ENTITY
    assert model.VERSION == 1
    assert get_contract(entity, 1) is model
    assert set(required_fields(entity)) <= set(fields(entity))
    assert set(natural_key(entity)) <= set(required_fields(entity))


@pytest.mark.parametrize(
    ("entity", "key"),
    [
        ("customers", ("customer_id",)),
        ("products", ("product_id",)),
        ("orders", ("order_id",)),
        ("order_items", ("order_id", "line_number")),
        ("clickstream", ("event_id",)),
        ("inventory", ("snapshot_date", "product_id", "warehouse_id")),
        ("campaigns", ("campaign_id",)),
        ("reviews", ("review_id",)),
    ],
)
def test_natural_and_partition_keys(entity: str, key: tuple[str, ...]) -> None:
    assert natural_key(entity) == key
    expected_partition = ("order_id",) if entity == "order_items" else key
    assert partition_key(entity) == expected_partition


def test_required_fields_follow_the_dictionary() -> None:
    assert required_fields("orders") == (
        "order_id", "customer_id", "order_ts", "status", "currency",
    )  # fmt: skip
    assert required_fields("clickstream") == ("event_id", "event_ts", "event_type")
    assert required_fields("campaigns") == (
        "campaign_id", "name", "start_date", "end_date",
    )  # fmt: skip


@pytest.mark.parametrize(("entity", "version"), [("nope", None), ("orders", 2), ("orders", 0)])
def test_unknown_contracts_raise_a_clear_key_error(entity: str, version: int | None) -> None:
    with pytest.raises(UnknownContractError, match="unknown") as caught:
        get_contract(entity, version)
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownContractError):
        validate_record(entity, {}, version)


def test_header_in_any_order_without_optional_columns_is_fine() -> None:
    assert header_problem("orders", list(reversed(required_fields("orders")))) is None
    assert header_problem("orders", fields("orders")) is None


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["order_id", "customer_id", "order_ts", "status", "currency", "colour"], "unknown"),
        (
            ["order_id", "customer_id", "order_ts", "status"],
            "missing required column(s): 'currency'",
        ),
        (["order_id", "order_id", "customer_id", "order_ts", "status", "currency"], "duplicate"),
        (["order_id", "customer_id", "order_ts", "status", "currency", ""], "unknown"),
    ],
)
def test_header_drift_is_explained(columns: list[str], expected: str) -> None:
    problem = header_problem("orders", columns)
    assert problem is not None and expected in problem


@pytest.mark.parametrize("record", [[1, 2], "text", None, 42, {None: ["extra", "cells"]}])
def test_records_that_are_not_mappings_of_names_are_unparseable(record: Any) -> None:
    outcome = validate_record("orders", record)
    assert [(e.code, e.field) for e in outcome.errors] == [(ErrorCode.UNPARSEABLE, None)]
    assert outcome.model is None and not outcome.ok


def test_unparseable_helper_and_error_dicts() -> None:
    outcome = unparseable("line 3 is not JSON")
    assert not outcome.ok
    error = outcome.errors[0]
    as_dict = {"code": "unparseable", "field": None, "message": "line 3 is not JSON"}
    assert error.to_dict() == as_dict
    assert FieldError.from_dict(as_dict) == error


def test_error_catalogue_is_stable() -> None:
    assert {code.value for code in RECORD_ERROR_CODES} == {
        "missing_field", "invalid_type", "out_of_range", "invalid_enum",
        "invalid_format", "cross_field", "unknown_field", "unparseable",
        "refused_by_database",
    }  # fmt: skip
    assert {code.value for code in FILE_ERROR_CODES} == {
        "schema_drift", "unknown_entity", "not_utf8", "too_large", "unsafe_name",
        "invalid_manifest", "conflicting_resend",
    }  # fmt: skip


def test_package_exports_the_interface() -> None:
    for name in ("validate_record", "canonical_json", "header_problem", "natural_key"):
        assert name in contracts.__all__
