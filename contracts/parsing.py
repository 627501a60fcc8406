"""The few value conversions pydantic-core cannot say natively (decisions 0051, 0055).

pydantic-core checks the text of every value first (contracts.field_types: strict types,
patterns, bounds); these Python callbacks only convert what passed:

- a number to a Decimal with the digit bounds: a JSON integer, or a JSON number with a
  fraction or an exponent read exactly as written (contracts.validate_json reads it as a
  Decimal, never through a binary float), or a mapping's int, Decimal or float (a float
  through its shortest text, so that 19.9 is exactly 19.9);
- a number (a Decimal, or a mapping's float) to an int, only when it is whole (2.0,
  1e2), never rounded;
- ISO 8601 timestamp text (T, t or space; optional seconds and fraction of at most 6
  digits; Z, z, ±HH, ±HHMM or ±HH:MM; none means UTC) to an aware UTC datetime, which
  also needs a calendar and range check.

Each raises a PydanticCustomError whose type is one of our error codes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import PydanticCustomError

_MAX_WHOLE_DIGITS = 18
_MAX_FRACTION_DIGITS = 12
_MAX_INTEGER_DIGITS = 19  # beyond any int4 or int8 bound; checked before int()


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
    """An int, Decimal or float (through its shortest repr), finite and within the digit
    bounds (at most 18 whole and 12 fractional digits, as written), never rounded."""
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
    if -exponent > _MAX_FRACTION_DIGITS:
        raise out_of_range(
            f"{_number_text(value)} has {-exponent} fractional digits; at most "
            f"{_MAX_FRACTION_DIGITS} are allowed (a number is never rounded)")
    if number and number.adjusted() >= _MAX_WHOLE_DIGITS:
        raise out_of_range(
            f"{_number_text(value)} has more than {_MAX_WHOLE_DIGITS} whole digits")
    return number


def integer_from_number(number: float | Decimal) -> int:
    """A number that is whole (2.0, 1E+2) as an int; anything else is refused, never
    rounded. A float is read through its shortest repr; huge numbers are refused before
    an int is made of them."""
    value = Decimal(repr(number)) if type(number) is float else Decimal(number)
    if not value.is_finite():
        raise invalid_type(f"expected an integer, got {_number_text(value)}")
    if value and value.adjusted() >= _MAX_INTEGER_DIGITS:
        raise out_of_range(f"{_number_text(value)} is outside the integer range")
    if value != value.to_integral_value():
        raise invalid_type(f"expected an integer, got {_number_text(value)} (it has a fraction)")
    return int(value)


def _number_text(value: Any) -> str:
    """A number as written: 19.9000000000000001, not Decimal('19.9000000000000001')."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        text = str(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return preview(value)


def timestamp_from_text(text: str) -> datetime:
    """Timestamp text that matched field_types.TIMESTAMP_TEXT (at most 6 fractional second
    digits, so nothing is cut off), as an aware UTC datetime."""
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
