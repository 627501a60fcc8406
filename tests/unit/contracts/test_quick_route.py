"""The quick route builds exactly the model pydantic builds, and declines everything else.

validate_record tries contracts.quick_route first and falls back to the full pydantic
route, which stays the reference: whenever the quick route returns a model, pydantic
must accept the same record and build an equal model (same values, same fields set,
same canonical bytes).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from email_validator import validate_email
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import ENTITIES, ContractModel, canonical_json, fields, get_contract
from contracts.quick_route import quick_route
from contracts.text_checks import _PLAIN_EMAIL, _plainly_valid_email
from tests.unit.contracts.strategies import MODEST, csv_records, json_records


def _pydantic(entity: str, record: dict[Any, Any]) -> ContractModel | None:
    try:
        return get_contract(entity).model_validate(dict(record))
    except ValidationError:
        return None


def _assert_same_model(quick: ContractModel, full: ContractModel | None) -> None:
    assert full is not None, "the quick route accepted a record pydantic rejects"
    assert quick == full
    assert repr(quick) == repr(full)
    assert quick.model_fields_set == full.model_fields_set
    assert canonical_json(quick) == canonical_json(full)


def _quick(entity: str, record: dict[Any, Any]) -> ContractModel | None:
    route = quick_route(get_contract(entity))
    assert route is not None
    return route.validate(record)


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_contract_has_a_quick_route(entity: str) -> None:
    assert quick_route(get_contract(entity)) is not None


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_valid_json_records_take_the_quick_route_to_the_same_model(
        entity: str, data: st.DataObject) -> None:
    record = data.draw(json_records(entity))
    quick = _quick(entity, record)
    if quick is None:  # only whitespace-only text may send a valid record the long way
        assert any(isinstance(v, str) and v and v.isspace() for v in record.values())
        return
    _assert_same_model(quick, _pydantic(entity, record))


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_valid_csv_records_take_the_quick_route_to_the_same_model(
        entity: str, data: st.DataObject) -> None:
    record = data.draw(csv_records(entity))
    quick = _quick(entity, record)
    if quick is None:
        assert any(v and v.isspace() for v in record.values())
        return
    _assert_same_model(quick, _pydantic(entity, record))


_AWKWARD_VALUES = [
    None, "", " ", "\t\n", "x\x00y", "x\ud800y", "abc", "ABC", "2.5", "1e3", "3.0", " 3", "-0",
    "-0.00", "19.900", "+5", ".5", "5.", "1,50", "NaN", "Infinity", "99999999999999999999",
    "0.0000000000001", 2.5, 1.0, 1e20, float("nan"), True, False, 0, -1, 1, 5, 6, 2**31, 2**63,
    Decimal("1.5"), "2026-02-30", "2026-03-01", "2026-03-01T10:00:00", "2026-03-01t10:00z",
    "2026-03-01 10:00:00,5+01", "0001-01-01T00:00:00+01:00", "yesterday", 20260301, {"a": 1},
    [1, 2], "US", "us", "ZZ", "EUR", "eur", "a@b.com", "a@b", "x@host.local", "paid", "PAID",
    "purchase", "desktop", "a" * 256, "a" * 257,
]
_AWKWARD = st.sampled_from(_AWKWARD_VALUES)


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_the_quick_route_accepts_nothing_pydantic_rejects(
        entity: str, data: st.DataObject) -> None:
    record: dict[Any, Any] = data.draw(json_records(entity) | csv_records(entity))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        name = data.draw(st.sampled_from([*fields(entity), "unknown_field", 7]))
        record[name] = data.draw(_AWKWARD)
    quick = _quick(entity, record)
    if quick is not None:
        _assert_same_model(quick, _pydantic(entity, record))


@pytest.mark.parametrize("entity", ENTITIES)
@settings(MODEST, max_examples=3)
@given(data=st.data())
def test_each_awkward_value_in_each_field(entity: str, data: st.DataObject) -> None:
    base = data.draw(json_records(entity) | csv_records(entity))
    for name in fields(entity):
        for value in _AWKWARD_VALUES:
            record = {**base, name: value}
            quick = _quick(entity, record)
            if quick is not None:
                _assert_same_model(quick, _pydantic(entity, record))


def test_whitespace_only_text_is_left_to_the_full_route() -> None:
    record = {"review_id": "r1", "order_id": "o1", "rating": "5",
              "review_ts": "2026-01-01T10:00:00Z", "title": "   "}
    assert _quick("reviews", record) is None
    assert _pydantic("reviews", record) is not None  # free text: whitespace is data


@MODEST
@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_plain_emails_are_ones_email_validator_accepts(address: str) -> None:
    if _plainly_valid_email(address):
        validate_email(address, check_deliverability=False, test_environment=True)


@pytest.mark.parametrize("address", [
    "a@b.local", "a@x.localhost", "a@x.invalid", "a@x.onion", "a@in-addr.arpa",
    "a@" + "b" * 64 + ".com", "a" * 250 + "@b.com", "a@b.c0m", "a..b@c.com", "a@b--c.com",
    "A@B.COM",
])
def test_emails_near_the_edge_are_left_to_email_validator(address: str) -> None:
    assert not _plainly_valid_email(address)


@pytest.mark.parametrize("address", ["first.last@example.com", "a+tag@mail.example.org",
                                     "x_y-z@sub-domain.example.de", "a@b.test"])
def test_common_emails_are_plainly_valid(address: str) -> None:
    assert _plainly_valid_email(address)
    validate_email(address, check_deliverability=False, test_environment=True)
