"""The canonical JSON form of a valid record: what the validator publishes downstream.

Every field is present (null when absent, defaults applied); money has at least two
decimal places and is never rounded; other decimals are plain text without
trailing zeros; dates are YYYY-MM-DD; timestamps are UTC with a "Z".

The bytes are those of `json.dumps(..., sort_keys=True, separators=(",", ":"),
ensure_ascii=False)` encoded as UTF-8 (the first implementation); orjson writes the
same bytes faster (decision 0050), and anything it refuses goes the stdlib way.
tests/unit/contracts/test_canonical_reference.py keeps the first implementation as
the oracle.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, get_args

import orjson

from contracts.base import ContractModel

# Values orjson writes exactly as the canonical form has them (datetimes: UTC only).
_ORJSON_NATIVE = frozenset({str, int, bool, type(None), date, datetime})


def canonical(model: ContractModel) -> dict[str, Any]:
    money_fields = type(model).MONEY_FIELDS
    return {
        name: _canonical_value(getattr(model, name), is_money=name in money_fields)
        for name in type(model).model_fields
    }


def canonical_json(model: ContractModel) -> bytes:
    plain = _orjson_ready(model)
    if plain is not None:
        try:
            return orjson.dumps(plain, option=orjson.OPT_SORT_KEYS | orjson.OPT_UTC_Z)
        except orjson.JSONEncodeError:
            pass  # e.g. a lone surrogate or a huge int: fail (or succeed) exactly as json does
    return _stdlib_canonical_json(model)


def _orjson_ready(model: ContractModel) -> dict[str, Any] | None:
    """The field values with decimals as canonical text, when orjson then writes exactly
    the canonical bytes; None when the model holds anything else (the stdlib way).

    Only fields declared as decimal or time are looked at one by one: per-field Python
    work is what this path is there to avoid. orjson writes dates like isoformat() and
    UTC datetimes like timestamp_text() (OPT_UTC_Z), and sorts keys like json does.
    """
    special, size = _layout(type(model))
    values = model.__dict__
    if len(values) != size:  # __dict__ holds only fields: then it holds all of them
        return None
    out = values.copy()
    utc_times = 0
    for name, is_money in special:
        value = out[name]
        kind = type(value)
        if kind is Decimal:
            out[name] = money_text(value) if is_money else decimal_text(value)
        elif kind is datetime:
            if value.tzinfo is UTC:
                utc_times += 1
            else:
                out[name] = timestamp_text(value)
    kinds = list(map(type, out.values()))
    if not _ORJSON_NATIVE.issuperset(kinds) or kinds.count(datetime) != utc_times:
        return None
    return out


@cache
def _layout(model: type[ContractModel]) -> tuple[tuple[tuple[str, bool], ...], int]:
    """(fields that may hold a Decimal or datetime, with "is money"), number of fields."""
    special = tuple(
        (name, name in model.MONEY_FIELDS)
        for name, info in model.model_fields.items()
        if _may_hold(info.annotation, (Decimal, datetime))
    )
    return special, len(model.model_fields)


def _may_hold(annotation: Any, kinds: tuple[type, ...]) -> bool:
    if isinstance(annotation, type):
        return issubclass(annotation, kinds)
    return any(_may_hold(arg, kinds) for arg in get_args(annotation))


def _stdlib_canonical_json(model: ContractModel) -> bytes:
    text = json.dumps(canonical(model), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


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
