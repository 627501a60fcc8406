"""The canonical JSON form of a valid record: what the validator publishes downstream.

Every field is present (null when absent, defaults applied); money has at least two
decimal places and is never rounded; other decimals are plain text without
trailing zeros; dates are YYYY-MM-DD; timestamps are UTC with a "Z".
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from contracts.base import ContractModel


def canonical(model: ContractModel) -> dict[str, Any]:
    money_fields = type(model).MONEY_FIELDS
    return {
        name: _canonical_value(getattr(model, name), is_money=name in money_fields)
        for name in type(model).model_fields
    }


def canonical_json(model: ContractModel) -> bytes:
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
