"""Text rules that come from outside lists: ISO codes and e-mail syntax.

The ISO lists become Literal schemas in contracts.field_types (checked natively by
pydantic-core). E-mail syntax is email-validator's, the one Python callback on text
(decision 0051). Text is never changed here.
"""

from __future__ import annotations

import re
from functools import cache

from contracts.parsing import invalid_format, preview

# Plain ASCII addresses (letters, digits and single . _ + - inside the local part; lower-case
# dotted host names without "--"). email-validator accepts every one of them that passes
# _plainly_valid_email, which takes the same length, top-level and special-use checks; it
# costs ~60 us per address against ~1 us, so it only sees the others (decisions 0050 and
# 0051: the one shortcut kept, because it still pays). test_email.py holds email-validator
# to that.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9]+(?:[._+-][A-Za-z0-9]+)*@((?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+[a-z]+)", re.ASCII
)
_MAX_EMAIL_LENGTH = 254  # email_validator.rfc_constants
_MAX_LABEL_LENGTH = 63


@cache
def country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


@cache
def _special_use_domains() -> tuple[str, ...]:
    from email_validator import SPECIAL_USE_DOMAIN_NAMES

    # As email-validator does with test_environment=True, "test" is allowed.
    return tuple(name for name in SPECIAL_USE_DOMAIN_NAMES if name != "test")


def _plainly_valid_email(value: str) -> bool:
    match = _PLAIN_EMAIL.fullmatch(value)
    if match is None or len(value) > _MAX_EMAIL_LENGTH:
        return False
    domain = match.group(1)
    if any(len(label) > _MAX_LABEL_LENGTH for label in domain.split(".")):
        return False
    return not any(domain == name or domain.endswith("." + name)
                   for name in _special_use_domains())


def check_email(value: str) -> str:
    if _plainly_valid_email(value):
        return value
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise invalid_format(f"{preview(value)} is not an e-mail address: {exc}") from None
    return value
