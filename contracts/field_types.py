"""Field types shared by the contract models, said the way pydantic-core runs them.

Each type is `Annotated[<python type>, Rule(...)]`: the Rule gives pydantic-core a schema
built from native parts (strict str/int/float, length bounds, Rust regex patterns,
literals, `custom_error_schema` to name our error code) and gives the JSON Schema export
the same rule in JSON Schema words. Python callbacks remain only where a rule cannot be
said natively (decision 0051): e-mail syntax, ISO 8601 timestamps to UTC, and bounding a
number read as a decimal or an integer.

Values are never changed (decision 0055): a JSON number with a fraction or an exponent
is read by pydantic-core as a binary float, which may already have lost digits, so in
JSON mode it fails with the internal error NEEDS_EXACT_NUMBER and
`contracts.validate_json` reads the record again with every number exact (a Decimal);
timestamps may have at most 6 fractional second digits (PostgreSQL keeps microseconds).

Null (absent, None, "", whitespace-only except in optional free text) is not handled
here: ContractModel wraps every optional field in a "blank means null" branch, and a
required field's rule rejects blanks, which the error mapping reports as missing_field.
Patterns use ASCII digits only, and `$` as the end of the text.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic_core import CoreSchema
from pydantic_core import core_schema as cs

from contracts.parsing import (
    decimal_from_number,
    integer_from_number,
    timestamp_from_text,
    utc_timestamp,
)
from contracts.text_checks import check_email, country_codes, currency_codes

MAX_ID_LENGTH = 256
MAX_INT4 = 2_147_483_647
MAX_NUMBER_TEXT = 40
MAX_WHOLE_DIGITS = 18
MAX_FRACTION_DIGITS = 12
MAX_SECOND_DIGITS = 6  # fractional second digits: microseconds, as timestamptz keeps
# The error type of a JSON number that pydantic-core read as a float (decision 0055):
# contracts.validate_json reads such a record again with exact numbers; it is never a
# verdict.
NEEDS_EXACT_NUMBER = "needs_exact_number"

# What str.isspace() calls whitespace, written out so that Rust, Python and ECMA regexes
# agree (their \s differ).
WHITESPACE = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
BLANK = f"^[{WHITESPACE}]*$"
NO_NUL = "^[^\\x00]*$"
NOT_BLANK = f"^[^\\x00]*[^\\x00{WHITESPACE}][^\\x00]*$"
DECIMAL_TEXT = "^[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)$"
INTEGER_TEXT = "^[+-]?[0-9]+$"
DATE_TEXT = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _timestamp_text(fraction: str) -> str:
    return ("^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}"
            f"(?::[0-9]{{2}}(?:[.,][0-9]{fraction})?)?(?:[Zz]|[+-][0-9]{{2}}(?::?[0-9]{{2}})?)?$")


# The ISO 8601 forms read (any number of fractional second digits), then the precision
# kept: at most MAX_SECOND_DIGITS digits, never truncated (decision 0055).
TIMESTAMP_FORM = _timestamp_text("+")
TIMESTAMP_TEXT = _timestamp_text(f"{{1,{MAX_SECOND_DIGITS}}}")
_FRACTION = f"(?:\\.[0-9]{{0,{MAX_FRACTION_DIGITS}}})?"
_NEGATIVE_ZERO = f"-0*(?:\\.0{{0,{MAX_FRACTION_DIGITS}}})?"
_ZERO_FRACTION = f"(?:\\.0{{0,{MAX_FRACTION_DIGITS}}})?"


def decimal_bounds_pattern(maximum: int | None) -> str:
    """Decimal text (already DECIMAL_TEXT) in [0, maximum] with the digit bounds; -0 is 0.
    Without a maximum: at most MAX_WHOLE_DIGITS whole digits."""
    if maximum is None:
        positive = f"[0-9]{{0,{MAX_WHOLE_DIGITS}}}{_FRACTION}"
    else:  # numbers below the maximum's whole part, or the maximum itself
        positive = f"{_below_pattern(maximum)}{_FRACTION}|{maximum}{_ZERO_FRACTION}"
    return f"^(?:\\+?0*(?:{positive})|{_NEGATIVE_ZERO})$"


def integer_range_pattern(minimum: int, maximum: int) -> str:
    """Integer text (already INTEGER_TEXT) in [minimum, maximum], 0 <= minimum <= 1."""
    assert minimum in (0, 1)
    zero = "|[+-]?0+" if minimum == 0 else ""
    return f"^(?:\\+?0*(?:{_positive_below(maximum)}|{maximum}){zero})$"


def _below_pattern(maximum: int) -> str:
    """Digits (leading zeros already taken) of the whole numbers 0 <= n < maximum, where
    the empty text counts as 0 (".5")."""
    return f"(?:{_positive_below(maximum)})?"


def _positive_below(maximum: int) -> str:
    """Whole numbers 1 <= n < maximum without leading zeros."""
    digits = str(maximum)
    options = []
    if len(digits) > 1:
        options.append(f"[1-9][0-9]{{0,{len(digits) - 2}}}")
    for i, digit in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(digit) > low:
            rest = len(digits) - i - 1
            options.append(f"{digits[:i]}[{low}-{int(digit) - 1}]"
                           + (f"[0-9]{{{rest}}}" if rest else ""))
    return "|".join(options) if options else "(?!)"


@dataclass(frozen=True, eq=False)  # hashed by identity: Annotated metadata must hash
class Rule:
    """A field rule: how pydantic-core checks it and how the JSON Schema says it."""

    name: str
    core: Callable[[], CoreSchema]
    json: dict[str, Any]
    free_text: bool = False  # optional and whitespace-only: data, not null
    money: bool = False  # canonical form has at least 2 decimal places
    kind: str = "text"  # text, decimal, integer, date, timestamp (for canonical_json)
    extra: dict[str, Any] = field(default_factory=dict)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> CoreSchema:
        return self.core()

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler
                                     ) -> dict[str, Any]:
        return copy.deepcopy(self.json)


def json_pattern(pattern: str) -> str:
    """The pattern for JSON Schema validators: Python's re (the jsonschema library) also
    lets `$` match before a final newline, which pydantic-core's Rust regex does not."""
    return pattern[:-1] + "$(?!\\n)" if pattern.endswith("$") else pattern


def _error(schema: CoreSchema, code: str, message: str) -> CoreSchema:
    return cs.custom_error_schema(schema, custom_error_type=code, custom_error_message=message)


def _text(pattern: str, message: str, max_length: int | None = None) -> CoreSchema:
    return cs.chain_schema([
        cs.str_schema(strict=True, min_length=1, max_length=max_length),
        _error(cs.str_schema(pattern=pattern), "invalid_format", message),
    ])


_STORABLE = "text contains a NUL character or is not valid Unicode"


def _text_json(pattern: str, max_length: int | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "pattern": json_pattern(pattern)}
    if max_length is not None:
        schema["maxLength"] = max_length
    return schema


def _needs_exact_number() -> CoreSchema:
    """JSON mode: a JSON number pydantic-core read as a float (it has a fraction or an
    exponent, and the float may have lost digits) fails with NEEDS_EXACT_NUMBER, natively;
    contracts.validate_json then reads the record again with exact numbers (decision
    0055)."""
    return cs.chain_schema([
        cs.float_schema(strict=True),
        _error(cs.str_schema(strict=True), NEEDS_EXACT_NUMBER,
               "a JSON number with a fraction or an exponent must be read exactly: "
               "validate the JSON text with contracts.validate_json"),
    ])


def _decimal(bounds: str, message: str) -> Callable[[], CoreSchema]:
    def core() -> CoreSchema:
        text = cs.chain_schema([
            cs.str_schema(strict=True),
            _error(cs.str_schema(pattern=DECIMAL_TEXT, max_length=MAX_NUMBER_TEXT),
                   "invalid_type", "expected decimal text like '19.90'"),
            _error(cs.str_schema(pattern=bounds), "out_of_range", message),
            cs.no_info_plain_validator_function(Decimal),
        ])
        exact = cs.chain_schema([
            cs.json_or_python_schema(
                # JSON integers are exact; other JSON numbers are read again exactly.
                json_schema=cs.union_schema([cs.int_schema(strict=True), _needs_exact_number()]),
                # A mapping's int or Decimal is exact; its float is read as its shortest text.
                python_schema=cs.union_schema([cs.int_schema(strict=True),
                                               cs.float_schema(strict=True),
                                               cs.is_instance_schema(Decimal)]),
            ),
            cs.no_info_plain_validator_function(decimal_from_number),
            _error(cs.decimal_schema(**_bounds_of(bounds)), "out_of_range", message),
        ])
        return cs.union_schema([(text, "text"), (exact, "number")], mode="left_to_right")
    return core


def _bounds_of(pattern: str) -> dict[str, Any]:
    maximum = _DECIMAL_MAXIMUM[pattern]
    return {"ge": Decimal(0), **({"le": Decimal(maximum)} if maximum is not None else {})}


def _decimal_json(bounds: str, maximum: int | None) -> dict[str, Any]:
    number: dict[str, Any] = {"type": "number", "minimum": 0,
                              "x-shopflow-max-fraction-digits": MAX_FRACTION_DIGITS}
    if maximum is None:
        number["exclusiveMaximum"] = 10**MAX_WHOLE_DIGITS
    else:
        number["maximum"] = maximum
    text = {"type": "string", "maxLength": MAX_NUMBER_TEXT,
            "allOf": [{"pattern": json_pattern(DECIMAL_TEXT)}, {"pattern": json_pattern(bounds)}]}
    return {"anyOf": [text, number]}


_MONEY_BOUNDS = decimal_bounds_pattern(None)
_RATING_BOUNDS = decimal_bounds_pattern(5)
_PERCENT_BOUNDS = decimal_bounds_pattern(100)
_DECIMAL_MAXIMUM: dict[str, int | None] = {
    _MONEY_BOUNDS: None, _RATING_BOUNDS: 5, _PERCENT_BOUNDS: 100,
}
_DIGITS = (f"at most {MAX_WHOLE_DIGITS} whole and {MAX_FRACTION_DIGITS} fractional digits")


def _integer(minimum: int, maximum: int) -> Callable[[], CoreSchema]:
    pattern = integer_range_pattern(minimum, maximum)
    message = f"expected an integer from {minimum} to {maximum}"

    def core() -> CoreSchema:
        text = cs.chain_schema([
            cs.str_schema(strict=True),
            _error(cs.str_schema(pattern=INTEGER_TEXT), "invalid_type", "expected an integer"),
            _error(cs.str_schema(pattern=pattern), "out_of_range", message),
            cs.int_schema(),
        ])
        number = cs.json_or_python_schema(
            # 2.0 or 1e2 is read again exactly: whole (2, 100) or not an integer.
            json_schema=cs.union_schema([cs.int_schema(strict=True), _needs_exact_number()]),
            python_schema=cs.union_schema([
                cs.int_schema(strict=True),
                cs.chain_schema([
                    cs.union_schema([cs.float_schema(strict=True), cs.is_instance_schema(Decimal)]),
                    cs.no_info_plain_validator_function(integer_from_number),
                ]),
            ]),
        )
        return cs.chain_schema([
            cs.union_schema([(number, "number"), (text, "text")], mode="left_to_right"),
            _error(cs.int_schema(ge=minimum, le=maximum), "out_of_range", message),
        ])
    return core


def _integer_json(minimum: int, maximum: int) -> dict[str, Any]:
    return {"anyOf": [
        {"type": "integer", "minimum": minimum, "maximum": maximum},
        {"type": "string", "allOf": [
            {"pattern": json_pattern(INTEGER_TEXT)},
            {"pattern": json_pattern(integer_range_pattern(minimum, maximum))}]},
    ]}


def _date() -> CoreSchema:
    text = cs.chain_schema([
        cs.str_schema(strict=True),
        _error(cs.str_schema(pattern=DATE_TEXT), "invalid_type",
               "expected a date as YYYY-MM-DD"),
        _error(cs.date_schema(), "invalid_type", "expected a date as YYYY-MM-DD"),
    ])
    return cs.json_or_python_schema(
        json_schema=text,
        python_schema=cs.union_schema([(cs.date_schema(strict=True), "date"), (text, "text")],
                                      mode="left_to_right"),
    )


def _timestamp() -> CoreSchema:
    text = cs.chain_schema([
        cs.str_schema(strict=True),
        _error(cs.str_schema(pattern=TIMESTAMP_FORM), "invalid_type",
               "expected an ISO 8601 timestamp"),
        _error(cs.str_schema(pattern=TIMESTAMP_TEXT), "out_of_range",
               f"expected at most {MAX_SECOND_DIGITS} fractional second digits "
               "(microseconds); more would be cut off"),
        cs.no_info_plain_validator_function(timestamp_from_text),
    ])
    moment = cs.chain_schema([cs.is_instance_schema(datetime),
                              cs.no_info_plain_validator_function(utc_timestamp)])
    return cs.json_or_python_schema(
        json_schema=text,
        python_schema=cs.union_schema([(moment, "datetime"), (text, "text")],
                                      mode="left_to_right"),
    )


def _codes(codes: Callable[[], frozenset[str]], message: str) -> Callable[[], CoreSchema]:
    return lambda: cs.chain_schema([
        cs.str_schema(strict=True, min_length=1),
        _error(cs.literal_schema(sorted(codes())), "invalid_format", message),
    ])


def _email() -> CoreSchema:
    return cs.chain_schema([
        _text(NOT_BLANK, _STORABLE),
        cs.no_info_plain_validator_function(check_email),
    ])


ID = Rule("id", lambda: _text(NOT_BLANK, _STORABLE, MAX_ID_LENGTH),
          _text_json(NOT_BLANK, MAX_ID_LENGTH))
TEXT = Rule("text", lambda: _text(NO_NUL, _STORABLE), _text_json(NO_NUL), free_text=True)
NAME = Rule("name", lambda: _text(NOT_BLANK, _STORABLE), _text_json(NOT_BLANK))
EMAIL = Rule("email", _email, {**_text_json(NOT_BLANK), "format": "email"})
COUNTRY = Rule("country", _codes(country_codes, "not an ISO 3166-1 alpha-2 country code"),
               {"type": "string", "enum": sorted(country_codes())})
CURRENCY = Rule("currency", _codes(currency_codes, "not an ISO 4217 currency code"),
                {"type": "string", "enum": sorted(currency_codes())})
MONEY = Rule("money", _decimal(_MONEY_BOUNDS, f"expected 0 or more, with {_DIGITS}"),
             _decimal_json(_MONEY_BOUNDS, None), money=True, kind="decimal")
RATING = Rule("rating", _decimal(_RATING_BOUNDS, f"expected 0 to 5, with {_DIGITS}"),
              _decimal_json(_RATING_BOUNDS, 5), kind="decimal")
PERCENT = Rule("percent", _decimal(_PERCENT_BOUNDS, f"expected 0 to 100, with {_DIGITS}"),
               _decimal_json(_PERCENT_BOUNDS, 100), kind="decimal")
COUNT = Rule("count", _integer(0, MAX_INT4), _integer_json(0, MAX_INT4), kind="integer")
POSITIVE_COUNT = Rule("positive_count", _integer(1, MAX_INT4), _integer_json(1, MAX_INT4),
                      kind="integer")
STARS = Rule("stars", _integer(1, 5), _integer_json(1, 5), kind="integer")
DATE = Rule("date", _date, {"type": "string", "format": "date",
                            "pattern": json_pattern(DATE_TEXT)}, kind="date")
TIMESTAMP = Rule("timestamp", _timestamp,
                 {"type": "string", "format": "x-shopflow-timestamp",
                  "pattern": json_pattern(TIMESTAMP_TEXT)}, kind="timestamp")

Id = Annotated[str, ID]
Text = Annotated[str, TEXT]  # optional free text only: whitespace-only is data
Name = Annotated[str, NAME]  # required free text: whitespace-only is missing
Email = Annotated[str, EMAIL]
CountryCode = Annotated[str, COUNTRY]
CurrencyCode = Annotated[str, CURRENCY]
Money = Annotated[Decimal, MONEY]
Rating = Annotated[Decimal, RATING]
Percent = Annotated[Decimal, PERCENT]
Count = Annotated[int, COUNT]
PositiveCount = Annotated[int, POSITIVE_COUNT]
LineNumber = PositiveCount
Stars = Annotated[int, STARS]
IsoDate = Annotated[date, DATE]
Timestamp = Annotated[datetime, TIMESTAMP]
