"""Customers: a base at the start, new sign-ups every day, segment upgrades and moves.

A segment upgrade or a move is a new version of the customer record with a later
updated_at (an SCD2 change). A few new customers are late-arriving: they order
on their sign-up day but their record is only delivered a few batches later.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shopflow.generate.config import day_start
from shopflow.generate.formats import TimestampFormatter
from shopflow.generate.vocab import COUNTRY_WEIGHTS, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, PLACES

SEGMENTS = ("bronze", "silver", "gold", "platinum")
_SEGMENT_SHARES = (60, 25, 11, 4)
SEGMENT_ORDER_WEIGHT = {"bronze": 1.0, "silver": 1.7, "gold": 2.5, "platinum": 3.5}
_COUNTRIES = tuple(country for country, _ in COUNTRY_WEIGHTS)
_COUNTRY_SHARES = tuple(weight for _, weight in COUNTRY_WEIGHTS)
_UPGRADES_PER_CUSTOMER_DAY = 0.002
_MOVES_PER_CUSTOMER_DAY = 0.0008


@dataclass(slots=True)
class Customer:
    customer_id: str
    first_name: str
    last_name: str
    email: str | None
    country: str
    region: str
    city: str
    segment: str
    signup_date: date
    updated_at: datetime
    published: bool = False

    def record(self, fmt: TimestampFormatter) -> dict[str, str | None]:
        return {
            "customer_id": self.customer_id, "email": self.email,
            "first_name": self.first_name, "last_name": self.last_name,
            "country": self.country, "region": self.region, "city": self.city,
            "segment": self.segment, "signup_date": self.signup_date.isoformat(),
            "updated_at": fmt(self.updated_at),
        }


def _ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.lower() if ch.isascii() and ch.isalnum())


class CustomerBook:
    def __init__(self, rng: random.Random, orders_per_day: int) -> None:
        self._rng = rng
        self.customers: list[Customer] = []
        self._late_by_day: dict[int, list[Customer]] = {}
        self.base_count = max(100, 4 * orders_per_day)
        self.new_per_day = max(1.0, 0.035 * orders_per_day)

    def _make(self, signup: datetime) -> Customer:
        rng = self._rng
        number = len(self.customers) + 1
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        country = rng.choices(_COUNTRIES, weights=_COUNTRY_SHARES)[0]
        region, city = rng.choice(PLACES[country])
        email = None
        if rng.random() > 0.05:
            local = f"{_ascii_slug(first)}.{_ascii_slug(last)}{number}"
            email = f"{local}@{rng.choice(EMAIL_DOMAINS)}"
        customer = Customer(
            customer_id=f"cust-{number:06d}", first_name=first, last_name=last, email=email,
            country=country, region=region, city=city,
            segment=rng.choices(SEGMENTS, weights=_SEGMENT_SHARES)[0],
            signup_date=signup.date(), updated_at=signup)
        self.customers.append(customer)
        return customer

    def create_base(self, first_day: date) -> list[Customer]:
        start = day_start(first_day)
        return [self._make(start - timedelta(seconds=self._rng.randint(3600, 700 * 86400)))
                for _ in range(self.base_count)]

    def create_new(self, business_date: date, late_until: int | None) -> list[Customer]:
        """Today's sign-ups; with `late_until`, the first one's record waits for that day."""
        count = max(1, round(self._rng.gauss(self.new_per_day, self.new_per_day ** 0.5)))
        start = day_start(business_date)
        signups = sorted(self._rng.randint(0, 20 * 3600) for _ in range(count))
        fresh = [self._make(start + timedelta(seconds=s)) for s in signups]
        if late_until is not None:
            self._late_by_day.setdefault(late_until, []).append(fresh[0])
        return fresh

    def arriving_late(self, day_index: int) -> list[Customer]:
        return self._late_by_day.pop(day_index, [])

    def evolve(self, business_date: date) -> list[Customer]:
        """Upgrades and moves of customers whose record is already out."""
        rng = self._rng
        candidates = [c for c in self.customers if c.published and c.signup_date < business_date]
        upgrades = _poisson(rng, len(candidates) * _UPGRADES_PER_CUSTOMER_DAY)
        moves = _poisson(rng, len(candidates) * _MOVES_PER_CUSTOMER_DAY)
        chosen = rng.sample(candidates, min(len(candidates), upgrades + moves))
        start = day_start(business_date)
        changed = []
        for position, customer in enumerate(chosen):
            if position < upgrades:
                if customer.segment == SEGMENTS[-1]:
                    continue
                customer.segment = SEGMENTS[SEGMENTS.index(customer.segment) + 1]
            else:
                self._move(customer)
            customer.updated_at = start + timedelta(seconds=rng.randint(0, 86399))
            changed.append(customer)
        changed.sort(key=lambda c: c.updated_at)
        return changed

    def _move(self, customer: Customer) -> None:
        rng = self._rng
        if rng.random() < 0.2:
            customer.country = rng.choices(_COUNTRIES, weights=_COUNTRY_SHARES)[0]
        customer.region, customer.city = rng.choice(PLACES[customer.country])

    def order_weights(self, limit: int) -> list[float]:
        """Cumulative ordering propensity of the first `limit` customers."""
        total = 0.0
        cumulative = []
        for customer in self.customers[:limit]:
            total += SEGMENT_ORDER_WEIGHT[customer.segment]
            cumulative.append(total)
        return cumulative


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    return max(0, round(rng.gauss(mean, mean ** 0.5)))
