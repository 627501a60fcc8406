"""Field-level Hypothesis strategies and settings shared by the contract tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from contracts.text_checks import country_codes, currency_codes

# Modest and without an example database, so the suite stays fast and writes no files.
MODEST = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# For tests parametrized over many fields: each case is narrow, the record varies anyway.
FOCUSED = settings(MODEST, max_examples=15)

_STORABLE_CHARS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")

ids = st.text(_STORABLE_CHARS, min_size=1, max_size=20).filter(str.strip)
# Optional free text: whitespace-only, quotes, emoji and newlines are all data.
free_text = st.text(_STORABLE_CHARS, min_size=1, max_size=40)
names = free_text.filter(str.strip)
money = st.decimals(min_value=0, max_value=Decimal("99999.99"), places=2)
dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
_ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
timestamps = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.none() | st.sampled_from(_ZONES),
)
emails = st.from_regex(r"\A[a-z0-9]{1,10}(\.[a-z0-9]{1,8})?@[a-z0-9]{1,10}\.(com|org|de|shop)\Z")
countries = st.sampled_from(sorted(country_codes()))
currencies = st.sampled_from(sorted(currency_codes()))


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy
