"""Checks on text values: codes from ISO lists, e-mail syntax, storable text.

Text is never changed here (it is kept verbatim); these functions only accept
or reject it. The ISO lists and the e-mail library load on first use, which
keeps `import contracts` fast.
"""

from __future__ import annotations

from functools import cache

from contracts.parsing import invalid_format, preview


@cache
def country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(country.alpha_2 for country in pycountry.countries)


@cache
def currency_codes() -> frozenset[str]:
    import pycountry

    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


def check_storable_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded as UTF-8.
    if "\x00" in value:
        raise invalid_format("text contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid_format("text is not valid Unicode (lone surrogate)") from None
    return value


def check_country(value: str) -> str:
    if value not in country_codes():
        raise invalid_format(f"{preview(value)} is not an ISO 3166-1 alpha-2 country code")
    return value


def check_currency(value: str) -> str:
    if value not in currency_codes():
        raise invalid_format(f"{preview(value)} is not an ISO 4217 currency code")
    return value


def check_email(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise invalid_format(f"{preview(value)} is not an e-mail address: {exc}") from None
    return value
