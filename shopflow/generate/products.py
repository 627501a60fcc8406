"""The product catalogue (~650 products in 6 categories) and its changes over time.

A price change or a re-categorisation is a new product version with a later
updated_at. Every first version is dated before the first business day, so any
order can look up the version in effect at its order time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from shopflow.generate.config import day_start
from shopflow.generate.formats import TimestampFormatter, money, to_cents
from shopflow.generate.vocab import (
    CATEGORIES,
    CATEGORY_WEIGHTS,
    PRODUCT_ADJECTIVES,
    PRODUCT_SUFFIXES,
)

PRODUCT_COUNT = 650
_CATEGORY_NAMES = tuple(name for name, _ in CATEGORY_WEIGHTS)
_CATEGORY_SHARES = tuple(weight for _, weight in CATEGORY_WEIGHTS)
_PRICE_CHANGE_DAY_CHANCE = 0.45
_RECATEGORISE_DAY_CHANCE = 0.06


@dataclass(frozen=True, slots=True)
class ProductVersion:
    updated_at: datetime
    category: str
    subcategory: str
    unit_cost: Decimal
    list_price: Decimal


@dataclass(slots=True)
class Product:
    product_id: str
    sku: str
    name: str
    brand: str
    rating: Decimal | None
    popularity: float
    versions: list[ProductVersion]

    @property
    def current(self) -> ProductVersion:
        return self.versions[-1]

    def version_at(self, instant: datetime) -> ProductVersion:
        for version in reversed(self.versions):
            if version.updated_at <= instant:
                return version
        raise LookupError(f"{self.product_id} has no version at {instant}")

    def record(self, fmt: TimestampFormatter) -> dict[str, str | None]:
        version = self.current
        return {
            "product_id": self.product_id, "sku": self.sku, "name": self.name,
            "category": version.category, "subcategory": version.subcategory,
            "brand": self.brand, "unit_cost": money(version.unit_cost),
            "list_price": money(version.list_price),
            "rating": None if self.rating is None else str(self.rating),
            "updated_at": fmt(version.updated_at),
        }


class Catalogue:
    def __init__(self, rng: random.Random, first_day: date) -> None:
        self._rng = rng
        ranks = list(range(1, PRODUCT_COUNT + 1))
        rng.shuffle(ranks)
        start = day_start(first_day)
        self.products = [self._make(number, rank, start)
                         for number, rank in enumerate(ranks, start=1)]
        self.by_id = {product.product_id: product for product in self.products}

    def _make(self, number: int, rank: int, start: datetime) -> Product:
        rng = self._rng
        category = rng.choices(_CATEGORY_NAMES, weights=_CATEGORY_SHARES)[0]
        subcategories, brands, (low, high), (cost_low, cost_high) = CATEGORIES[category]
        subcategory, brand = rng.choice(subcategories), rng.choice(brands)
        price = to_cents(Decimal(str(math.exp(rng.uniform(math.log(low), math.log(high))))))
        cost = to_cents(price * Decimal(str(rng.uniform(cost_low, cost_high))))
        rating = None if rng.random() < 0.1 else Decimal(str(round(rng.uniform(2.8, 5.0), 1)))
        first_seen = start - timedelta(seconds=rng.randint(86400, 400 * 86400))
        name = f"{brand} {rng.choice(PRODUCT_ADJECTIVES)} {subcategory}" \
               f"{rng.choice(PRODUCT_SUFFIXES)}"
        return Product(
            product_id=f"prod-{number:05d}", sku=f"{category[:3].upper()}-{number:05d}",
            name=name, brand=brand, rating=rating, popularity=1.0 / rank ** 0.9,
            versions=[ProductVersion(first_seen, category, subcategory, cost, price)])

    def evolve(self, business_date: date) -> list[Product]:
        """Today's price changes and re-categorisations, as new current versions."""
        rng = self._rng
        changed: list[Product] = []
        if rng.random() < _PRICE_CHANGE_DAY_CHANCE:
            changed += rng.sample(self.products, rng.randint(1, 8))
        recategorised = []
        if rng.random() < _RECATEGORISE_DAY_CHANCE:
            recategorised = [p for p in rng.sample(self.products, 1) if p not in changed]
        start = day_start(business_date)
        for product in changed:
            product.versions.append(self._repriced(product.current, start))
        for product in recategorised:
            product.versions.append(self._recategorised(product.current, start))
        result = changed + recategorised
        result.sort(key=lambda p: (p.current.updated_at, p.product_id))
        return result

    def _repriced(self, version: ProductVersion, start: datetime) -> ProductVersion:
        rng = self._rng
        price = max(Decimal("1.00"), to_cents(version.list_price
                                              * Decimal(str(rng.uniform(0.8, 1.15)))))
        cost = version.unit_cost
        if rng.random() < 0.3:
            cost = to_cents(cost * Decimal(str(rng.uniform(0.95, 1.08))))
        return replace(version, updated_at=self._change_time(start), list_price=price,
                       unit_cost=min(cost, price))

    def _recategorised(self, version: ProductVersion, start: datetime) -> ProductVersion:
        category = self._rng.choice([c for c in _CATEGORY_NAMES if c != version.category])
        subcategory = self._rng.choice(CATEGORIES[category][0])
        return replace(version, updated_at=self._change_time(start), category=category,
                       subcategory=subcategory)

    def _change_time(self, start: datetime) -> datetime:
        # Changes happen in the early hours, so the day's orders see both versions.
        return start + timedelta(seconds=self._rng.randint(0, 6 * 3600))

    def forget_before(self, instant: datetime) -> None:
        """Drops versions no order from `instant` on can be in effect for."""
        for product in self.products:
            versions = product.versions
            keep_from = 0
            for index, version in enumerate(versions):
                if version.updated_at <= instant:
                    keep_from = index
            if keep_from:
                del versions[:keep_from]
