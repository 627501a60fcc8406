"""Hypothesis strategies for valid records of every entity, reusable by other tests.

`valid_values(entity)` draws logical values (str, int, Decimal, date, datetime or
None); `json_records(entity)` and `csv_records(entity)` render them the way a
JSON Lines file or a CSV file would present them to `validate_record`. The
field-level strategies (ids, money, timestamps...) are re-exported from here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from tests.unit.contracts.entity_strategies import valid_values
from tests.unit.contracts.field_strategies import (
    FOCUSED,
    MODEST,
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

__all__ = [
    "FOCUSED",
    "MODEST",
    "countries",
    "csv_records",
    "csv_text",
    "currencies",
    "dates",
    "emails",
    "free_text",
    "ids",
    "json_records",
    "maybe",
    "money",
    "names",
    "timestamps",
    "valid_values",
]


def csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


@st.composite
def csv_records(draw: st.DrawFn, entity: str) -> dict[str, str]:
    """A valid record as a CSV row gives it: all text, "" or a left-out column for null."""
    values = draw(valid_values(entity))
    return {
        name: csv_text(value)
        for name, value in values.items()
        if value is not None or draw(st.booleans())
    }


@st.composite
def json_records(draw: st.DrawFn, entity: str) -> dict[str, Any]:
    """A valid record as a JSON line gives it: numbers as numbers or text, null or absent."""
    values = draw(valid_values(entity))
    record: dict[str, Any] = {}
    for name, value in values.items():
        if value is None and draw(st.booleans()):
            continue
        record[name] = _json_value(value, variant=draw(st.booleans()))
    return record


def _json_value(value: Any, *, variant: bool) -> Any:
    """The JSON form of a value; `variant` picks the other accepted spelling."""
    if isinstance(value, Decimal):
        return float(value) if variant else str(value)
    if isinstance(value, int):
        return str(value) if variant else value
    if isinstance(value, datetime) and variant and value.utcoffset() == timedelta(0):
        return value.isoformat().replace("+00:00", "Z")
    return None if value is None else csv_text(value)
