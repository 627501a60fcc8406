"""Field types shared by the contract models.

Constraints come before the BeforeValidator inside Annotated so that pydantic
writes them into the JSON Schema as standard keywords (minimum, maximum).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import annotated_types as at
from pydantic import AfterValidator, BeforeValidator, Field

from contracts.parsing import parse_date, parse_decimal, parse_integer, parse_timestamp
from contracts.text_checks import (
    check_country,
    check_currency,
    check_email,
    check_storable_text,
)


@dataclass(frozen=True)
class FieldKind:
    """A marker in Annotated metadata that tells the base model how to treat a field."""

    name: str


MONEY = FieldKind("money")  # canonical form has at least 2 decimal places
FREE_TEXT = FieldKind("free_text")  # whitespace-only text is data, not null

_MAX_INT4 = 2_147_483_647
MAX_ID_LENGTH = 256

Id = Annotated[str, at.MinLen(1), at.MaxLen(MAX_ID_LENGTH), AfterValidator(check_storable_text)]
Text = Annotated[str, AfterValidator(check_storable_text), FREE_TEXT]
Email = Annotated[
    str,
    Field(json_schema_extra={"format": "email"}),
    AfterValidator(check_storable_text),
    AfterValidator(check_email),
]
# The pattern is documentation for schema readers; check_* give the clearer message.
CountryCode = Annotated[
    str, Field(json_schema_extra={"pattern": "^[A-Z]{2}$"}), AfterValidator(check_country)
]
CurrencyCode = Annotated[
    str, Field(json_schema_extra={"pattern": "^[A-Z]{3}$"}), AfterValidator(check_currency)
]

Money = Annotated[Decimal, at.Ge(0), BeforeValidator(parse_decimal), MONEY]
Rating = Annotated[Decimal, at.Ge(0), at.Le(5), BeforeValidator(parse_decimal)]
Percent = Annotated[Decimal, at.Ge(0), at.Le(100), BeforeValidator(parse_decimal)]

Count = Annotated[int, at.Ge(0), at.Le(_MAX_INT4), BeforeValidator(parse_integer)]
PositiveCount = Annotated[int, at.Gt(0), at.Le(_MAX_INT4), BeforeValidator(parse_integer)]
LineNumber = Annotated[int, at.Ge(1), at.Le(_MAX_INT4), BeforeValidator(parse_integer)]
Stars = Annotated[int, at.Ge(1), at.Le(5), BeforeValidator(parse_integer)]

IsoDate = Annotated[date, BeforeValidator(parse_date)]
Timestamp = Annotated[datetime, BeforeValidator(parse_timestamp)]
