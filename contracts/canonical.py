"""The canonical JSON form of a valid record: what the validator publishes downstream.

Every field is present (null when absent, defaults applied); money has at least two
decimal places and is never rounded; other decimals are plain text without
trailing zeros; dates are YYYY-MM-DD; timestamps are UTC with a "Z".

The bytes are those of `json.dumps(..., sort_keys=True, separators=(",", ":"),
ensure_ascii=False)` encoded as UTF-8 (the first implementation, kept as the oracle in
tests/unit/contracts/test_canonical_reference.py). One implementation writes them
(decision 0051): only decimal fields are turned into text in Python, orjson writes the
rest (dates, UTC datetimes with OPT_UTC_Z) and sorts the keys. A valid model holds
nothing else: text is storable, integers are int4, timestamps are UTC (contracts.parsing).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

import orjson

from contracts.base import ContractModel, rule_of

_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z


def canonical(model: ContractModel) -> dict[str, Any]:
    money_fields = type(model).MONEY_FIELDS
    return {
        name: _canonical_value(getattr(model, name), is_money=name in money_fields)
        for name in type(model).model_fields
    }


def canonical_json(model: ContractModel) -> bytes:
    decimals, timestamps = _layout(type(model))
    values = model.__dict__
    if decimals or timestamps:
        values = values.copy()
        for name, is_money in decimals:
            value = values[name]
            if value is not None:
                values[name] = money_text(value) if is_money else decimal_text(value)
        for name in timestamps:  # UTC after validation; not so in a model_construct()ed one
            value = values[name]
            if value is not None and value.tzinfo is not UTC:
                values[name] = timestamp_text(value)
    return orjson.dumps(values, option=_OPTIONS)


@cache
def _layout(model: type[ContractModel]) -> tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]:
    """(decimal fields with "is money", timestamp fields) of a model."""
    decimals, timestamps = [], []
    for name in model.model_fields:
        rule = rule_of(model, name)
        if rule is not None and rule.kind == "decimal":
            decimals.append((name, rule.money))
        elif rule is not None and rule.kind == "timestamp":
            timestamps.append(name)
    return tuple(decimals), tuple(timestamps)


def _canonical_value(value: Any, *, is_money: bool) -> Any:
    if isinstance(value, Decimal):
        return money_text(value) if is_money else decimal_text(value)
    if isinstance(value, datetime):
        return timestamp_text(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def decimal_text(value: Decimal) -> str:
    """Fixed-point text without exponent or trailing zeros: 4.50 -> "4.5", 1E+1 -> "10"."""
    if value.is_zero():
        return "0"  # also turns -0 into 0
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def money_text(value: Decimal) -> str:
    """At least two decimal places, more only when they carry digits: 19.9 -> "19.90"."""
    whole, _, fraction = decimal_text(value).partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def timestamp_text(value: datetime) -> str:
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    utc = aware.astimezone(UTC).replace(tzinfo=None)
    timespec = "microseconds" if utc.microsecond else "seconds"
    return utc.isoformat(timespec=timespec) + "Z"
