"""Parsers that turn values read from CSV (text) or JSON into Python values.

They are stricter than pydantic's lax mode on purpose: a JSON `true` is not the
number 1, a unix epoch is not a date, and "1e3" is not money text. Each raises a
PydanticCustomError whose type is one of our error codes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import PydanticCustomError

_DECIMAL_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_INTEGER_TEXT = re.compile(r"[+-]?\d+")
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?"
)
# Bounds that keep canonical text short and Decimal arithmetic exact.
_MAX_NUMBER_TEXT = 40
_MAX_WHOLE_DIGITS = 18
_MAX_FRACTION_DIGITS = 12


def invalid_type(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_type", "{detail}", {"detail": message})


def out_of_range(message: str) -> PydanticCustomError:
    return PydanticCustomError("out_of_range", "{detail}", {"detail": message})


def invalid_format(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_format", "{detail}", {"detail": message})


def preview(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise invalid_type(f"expected a decimal number, got {preview(value)}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr gives the shortest text that round-trips, so 19.9 becomes 19.9, not 19.899...
        number = _decimal_from_text(repr(value), value, allow_exponent=True)
    elif (
        isinstance(value, str) and len(value) <= _MAX_NUMBER_TEXT and _DECIMAL_TEXT.fullmatch(value)
    ):
        return _decimal_from_plain_text(value)
    else:
        raise invalid_type(f"expected decimal text like '19.90', got {preview(value)}")
    return _bounded(number, value)


def _decimal_from_plain_text(text: str) -> Decimal:
    """Decimal text as _DECIMAL_TEXT matches it (no exponent, never NaN), bounded like
    _bounded() does; its fractional digits are read off the text, which is cheaper than
    Decimal.as_tuple() on this per-record path."""
    number = Decimal(text)
    point = text.find(".")
    fraction_digits = len(text) - point - 1 if point >= 0 else 0
    if number.adjusted() >= _MAX_WHOLE_DIGITS or fraction_digits > _MAX_FRACTION_DIGITS:
        raise out_of_range(
            f"{preview(text)} has more than {_MAX_WHOLE_DIGITS} whole or "
            f"{_MAX_FRACTION_DIGITS} fractional digits"
        )
    return number


def _decimal_from_text(text: str, original: Any, *, allow_exponent: bool) -> Decimal:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise invalid_type(f"expected a decimal number, got {preview(original)}") from None
    if not number.is_finite():
        raise invalid_type(f"expected a finite decimal number, got {preview(original)}")
    if not allow_exponent and "e" in text.lower():
        raise invalid_type(f"expected plain decimal text, got {preview(original)}")
    return number


def _bounded(number: Decimal, original: Any) -> Decimal:
    if not number.is_finite():
        raise invalid_type(f"expected a finite decimal number, got {preview(original)}")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if number.adjusted() >= _MAX_WHOLE_DIGITS or -exponent > _MAX_FRACTION_DIGITS:
        raise out_of_range(
            f"{preview(original)} has more than {_MAX_WHOLE_DIGITS} whole or "
            f"{_MAX_FRACTION_DIGITS} fractional digits"
        )
    return number


def parse_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise invalid_type(f"expected an integer, got {preview(value)}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER_TEXT.fullmatch(value):
        if len(value) > _MAX_NUMBER_TEXT:
            raise out_of_range(f"{preview(value)} has more than {_MAX_NUMBER_TEXT} digits")
        return int(value)
    raise invalid_type(f"expected an integer, got {preview(value)}")


def parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise invalid_type(f"expected a date as YYYY-MM-DD, got {preview(value)}")


def parse_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and _TIMESTAMP_TEXT.fullmatch(value):
        moment = _timestamp_from_text(value)
    else:
        raise invalid_type(f"expected an ISO 8601 timestamp, got {preview(value)}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise out_of_range(f"{preview(value)} is outside the representable UTC range") from None


def _timestamp_from_text(text: str) -> datetime:
    normalized = text.replace("t", "T").replace("z", "Z").replace(",", ".")
    try:
        return datetime.fromisoformat(normalized)
    except ValueError:
        raise invalid_type(f"expected an ISO 8601 timestamp, got {preview(text)}") from None
