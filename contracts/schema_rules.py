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
- `x-shopflow-max-fraction-digits`: a JSON number written as its shortest decimal text
  has at most that many digits after the point;
- format `x-shopflow-timestamp`: ISO 8601 text (the pattern says which forms) that is a
  real calendar time and stays within years 1..9999 in UTC;
- format `email`: what email-validator accepts (syntax only, no DNS), the validator's
  own rule, stricter than jsonschema's "contains an @".

tests/unit/contracts/test_schema_agreement.py holds the validator and these schemas to
the same verdicts (decision 0051).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


def schema_validator(schema: dict[str, Any]) -> Any:
    """A Draft 2020-12 validator for `schema` with ShopFlow's keywords and formats."""
    from jsonschema import Draft202012Validator, FormatChecker, validators

    checker = FormatChecker()
    checker.checks("email")(_is_email)
    checker.checks("x-shopflow-timestamp")(_is_timestamp)
    extended = validators.extend(Draft202012Validator, {
        "x-shopflow-rules": _rules,
        "x-shopflow-max-fraction-digits": _max_fraction_digits,
    })
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


def _max_fraction_digits(validator: Any, limit: int, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    if isinstance(instance, float):
        exponent = Decimal(repr(instance)).as_tuple().exponent
        if isinstance(exponent, int) and -exponent > limit:
            yield ValidationError(f"{instance!r} has more than {limit} fractional digits")


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
                    product *= factor  # type: ignore[operator]
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
