"""Query parameters shared by the routes: ISO dates and date ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

from pydantic import BeforeValidator

from services.dashboard_api.problems import bad_request

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Dates outside this window are certainly mistakes; it also keeps date arithmetic safe.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2999, 12, 31)
DEFAULT_RANGE_DAYS = 30


def _iso_date(value: object) -> object:
    if value is None or isinstance(value, date):
        return value
    text = str(value)
    if not _ISO_DATE.match(text):
        raise ValueError(f"{text[:40]!r} is not a date in YYYY-MM-DD format")
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a valid calendar date") from None
    if not MIN_DATE <= parsed <= MAX_DATE:
        raise ValueError(f"{text} is outside {MIN_DATE}..{MAX_DATE}")
    return parsed


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


@dataclass(frozen=True)
class DateRange:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def resolve_range(start: date | None, end: date | None, last_date: date | None,
                  today: date, max_days: int) -> DateRange:
    """Fill in missing ends (default: the last 30 days in the warehouse) and check the rules.

    Without `end`: the range ends at the last date in the warehouse (today if it is
    empty), or 29 days after `start`. Without `start`: 29 days before `end`.
    """
    span = timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if end is None:
        end = min(start + span, MAX_DATE) if start is not None else (last_date or today)
    if start is None:
        start = max(end - span, MIN_DATE)
    if start > end:
        raise bad_request(f"start ({start}) is after end ({end})", "reversed-range")
    chosen = DateRange(start, end)
    if chosen.days > max_days:
        raise bad_request(f"the range {start}..{end} covers {chosen.days} days;"
                          f" at most {max_days} are allowed", "range-too-long")
    return chosen
