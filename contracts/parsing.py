"""The few value conversions pydantic-core cannot say natively (decision 0051).

pydantic-core checks the text of every value first (contracts.field_types: strict types,
patterns, bounds); these Python callbacks only convert what passed:

- a JSON number (or a Python int, float or Decimal) to a Decimal, a float through its
  shortest text so that 19.9 is exactly 19.9, with the digit bounds;
- ISO 8601 timestamp text (T, t or space; optional seconds and fraction; Z, z, ±HH,
  ±HHMM or ±HH:MM; none means UTC) to an aware UTC datetime, which also needs a
  calendar and range check.

Each raises a PydanticCustomError whose type is one of our error codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import PydanticCustomError

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


def decimal_from_number(value: int | float | Decimal) -> Decimal:
    """An int, float (through its shortest repr) or Decimal, finite and within the digit
    bounds (at most 18 whole and 12 fractional digits)."""
    if type(value) is float:
        try:
            number = Decimal(repr(value))
        except InvalidOperation:  # pragma: no cover - repr of a float is always a number
            raise invalid_type(f"expected a decimal number, got {preview(value)}") from None
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise invalid_type(f"expected a finite decimal number, got {preview(value)}")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if number.adjusted() >= _MAX_WHOLE_DIGITS or -exponent > _MAX_FRACTION_DIGITS:
        raise out_of_range(
            f"{preview(value)} has more than {_MAX_WHOLE_DIGITS} whole or "
            f"{_MAX_FRACTION_DIGITS} fractional digits"
        )
    return number


def timestamp_from_text(text: str) -> datetime:
    """Timestamp text that matched field_types.TIMESTAMP_TEXT, as an aware UTC datetime."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        normalized = text.replace("t", "T").replace("z", "Z").replace(",", ".")
        try:
            moment = datetime.fromisoformat(normalized)
        except ValueError:
            raise invalid_type(f"expected an ISO 8601 timestamp, got {preview(text)}") from None
    return utc_timestamp(moment)


def utc_timestamp(moment: datetime) -> datetime:
    """The same instant with tzinfo UTC; without an offset, the time is UTC."""
    if moment.tzinfo is UTC:
        return moment
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise out_of_range(f"{preview(moment.isoformat())} is outside the representable "
                           "UTC range") from None
