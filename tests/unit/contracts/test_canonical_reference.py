"""canonical_json gives the very bytes of the original stdlib-json implementation.

The valid topics' consumers (loader, replays, tests) may compare canonical bytes, so a
faster serialiser must not change a single byte. `_reference_canonical_json` is the
first implementation, kept here verbatim (value formatting included) as the oracle.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import ENTITIES, ContractModel, canonical_json, validate_record
from tests.unit.contracts.strategies import MODEST, csv_records, json_records


def _reference_canonical_json(model: ContractModel) -> bytes:
    money_fields = type(model).MONEY_FIELDS
    as_dict = {
        name: _value(getattr(model, name), is_money=name in money_fields)
        for name in type(model).model_fields
    }
    text = json.dumps(as_dict, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def _value(value: Any, *, is_money: bool) -> Any:
    if isinstance(value, Decimal):
        return _money_text(value) if is_money else _decimal_text(value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        utc = aware.astimezone(UTC).replace(tzinfo=None)
        return utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _decimal_text(value: Decimal) -> str:
    if value.is_zero():
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _money_text(value: Decimal) -> str:
    whole, _, fraction = _decimal_text(value).partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def _assert_same_bytes(entity: str, record: dict[str, Any]) -> None:
    outcome = validate_record(entity, record)
    assert outcome.model is not None, outcome.errors
    assert canonical_json(outcome.model) == _reference_canonical_json(outcome.model)


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_json_records_serialise_as_before(entity: str, data: st.DataObject) -> None:
    _assert_same_bytes(entity, data.draw(json_records(entity)))


@pytest.mark.parametrize("entity", ENTITIES)
@MODEST
@given(data=st.data())
def test_csv_records_serialise_as_before(entity: str, data: st.DataObject) -> None:
    _assert_same_bytes(entity, data.draw(csv_records(entity)))


_AWKWARD_TEXT = [
    "quote \" and backslash \\",
    "tab\t, newline\n, return\r, form feed\f, backspace\b",
    "\x01\x1f\x7f control characters",
    "line\u2028and paragraph\u2029separators",
    "emoji 😀, accents éü, CJK 漢字, RTL \u202e",
    "</script><!-- --> & <b>",
    "   ",
]


@pytest.mark.parametrize("text", _AWKWARD_TEXT)
def test_awkward_text_serialises_as_before(text: str) -> None:
    record = {"review_id": "r1", "order_id": "o1", "rating": "5",
              "review_ts": "2026-01-01T10:00:00+02:00", "title": text, "body": text}
    _assert_same_bytes("reviews", record)
