"""Checking records against the exported JSON Schemas, for tooling and tests.

The exported schemas (contracts/schemas/<entity>/v<N>.json) say every rule in JSON Schema
2020-12 words where it can: types, bounds, patterns, enums, blank-means-null as an
`anyOf` branch, required fields, and clickstream's conditional requirements as
`anyOf` / `if`-`then`. What JSON Schema cannot say is written as ShopFlow keywords and
formats, which `schema_validator` implements on top of the `jsonschema` library
(a dev dependency; this module is not imported by the services):

- `x-shopflow-rules`: rules between fields, a list of
  `{"rule": "at_most_product", "field": f, "factors": [a, b]}` (f <= a x b) and
  `{"rule": "not_before", "field": f, "other": g}` (date f >= date g); a rule applies
  only when all its fields hold a value (a null or blank one has its own keywords);
- `x-shopflow-max-fraction-digits`: a JSON number has at most that many digits after
  the point as written in plain notation (19.90 has 2, 1.5e-3 has 4); a float (a number
  read inexactly) is taken as its shortest decimal text;
- format `x-shopflow-timestamp`: ISO 8601 text (the pattern says which forms) that is a
  real calendar time and stays within years 1..9999 in UTC;
- format `email`: what email-validator accepts (syntax only, no DNS), the validator's
  own rule, stricter than jsonschema's "contains an @".

JSON numbers are values, not floats (decision 0055): read the record with `load_exact`
(every number with a fraction or an exponent a Decimal of exactly its digits), as the
validator does; the validator here counts a whole Decimal (2.0, 1E+2) as an integer, as
JSON Schema does for any number with a zero fraction.

tests/unit/contracts/test_schema_agreement.py holds the validator and these schemas to
the same verdicts (decisions 0051, 0055).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Context, Decimal, InvalidOperation
from typing import Any

# Products of two bounded decimals (30 digits) and an int4 (10 digits), computed exactly.
_EXACT = Context(prec=80)


def load_exact(text: str | bytes) -> Any:
    """A JSON text as Python values with every number exact (a Decimal when it has a
    fraction or an exponent). NaN and Infinity are not JSON: ValueError."""
    return json.loads(text, parse_float=Decimal, parse_constant=_not_json)


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def schema_validator(schema: dict[str, Any]) -> Any:
    """A Draft 2020-12 validator for `schema` with ShopFlow's keywords and formats."""
    from jsonschema import Draft202012Validator, FormatChecker, validators

    checker = FormatChecker()
    checker.checks("email")(_is_email)
    checker.checks("x-shopflow-timestamp")(_is_timestamp)
    type_checker = Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
    extended = validators.extend(Draft202012Validator, {
        "x-shopflow-rules": _rules,
        "x-shopflow-max-fraction-digits": _max_fraction_digits,
    }, type_checker=type_checker)
    return extended(schema, format_checker=checker)


def _is_email(value: object) -> bool:
    if not isinstance(value, str):
        return True
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return False
    return True


def _is_timestamp(value: object) -> bool:
    if not isinstance(value, str):
        return True
    text = value.replace("t", "T").replace("z", "Z").replace(",", ".")
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return False
    return True


def _is_integer(checker: Any, instance: Any) -> bool:
    """JSON Schema's integer: any number with a zero fraction (2, 2.0, 1E+2)."""
    if isinstance(instance, bool):
        return False
    if isinstance(instance, int):
        return True
    if isinstance(instance, float):
        return instance.is_integer()
    return (isinstance(instance, Decimal) and instance.is_finite()
            and instance == instance.to_integral_value())


def _max_fraction_digits(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    if isinstance(instance, float | Decimal):
        number = Decimal(repr(instance)) if isinstance(instance, float) else instance
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > limit:
            yield ValidationError(f"{instance} has more than {limit} fractional digits")


def _rules(validator: Any, rules: list[dict[str, Any]], instance: Any, schema: Any
           ) -> Iterator[Any]:
    from jsonschema import ValidationError

    if not isinstance(instance, dict):
        return
    for rule in rules:
        if rule["rule"] == "at_most_product":
            value = _decimal(instance.get(rule["field"]))
            factors = [_decimal(instance.get(name)) for name in rule["factors"]]
            if value is not None and all(f is not None for f in factors):
                product = Decimal(1)
                for factor in factors:
                    product = _EXACT.multiply(product, factor)  # type: ignore[arg-type]
                if value > product:
                    yield ValidationError(f"{rule['field']} {value} exceeds {product}")
        elif rule["rule"] == "not_before":
            later, earlier = _date(instance.get(rule["field"])), _date(instance.get(rule["other"]))
            if later is not None and earlier is not None and later < earlier:
                yield ValidationError(f"{rule['field']} {later} is before {earlier}")
        else:
            yield ValidationError(f"unknown x-shopflow-rules rule {rule['rule']!r}")


def _decimal(value: Any) -> Decimal | None:
    """The value as a decimal, or None when it is null, blank or not a number (then the
    field's own keywords decide)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return number if number.is_finite() else None


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None
