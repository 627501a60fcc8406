"""Orders and their lines: how many per day, when, from whom, what is in them."""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Generic, TypeVar

from shopflow.generate.campaigns import Campaign
from shopflow.generate.config import day_start
from shopflow.generate.formats import ZERO, TimestampFormatter, money, to_cents
from shopflow.generate.products import Catalogue

_T = TypeVar("_T")


class _Table(Generic[_T]):
    """A fixed weighted choice, with its cumulative weights computed once."""

    def __init__(self, *table: tuple[_T, int]) -> None:
        self.values = [value for value, _ in table]
        self.cumulative = list(itertools.accumulate(weight for _, weight in table))

    def pick(self, rng: random.Random) -> _T:
        position = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[position]


CURRENCY = "EUR"
WEEKEND_FACTOR, WEEKDAY_FACTOR = 1.2, 0.92  # weekend days sell ~1.3x a weekday
_MONTH_FACTOR = {1: 0.92, 2: 0.88, 3: 0.97, 4: 1.0, 5: 1.0, 6: 0.97, 7: 0.95, 8: 0.93,
                 9: 1.0, 10: 1.05, 11: 1.2, 12: 1.3}
_HOUR_WEIGHTS = (1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 6, 5.5, 5, 5, 5, 5.5, 6.5,
                 8, 8.5, 7, 4.5, 2.5)
_CHANNELS = _Table(("web", 55), ("mobile", 30), ("marketplace", 10), ("store", 5))
_PAYMENTS: _Table[str | None] = _Table(
    ("card", 55), ("paypal", 25), ("bank_transfer", 5), ("voucher", 3),
    ("cash_on_delivery", 4), ("other", 2), (None, 6))
_LINE_COUNTS = _Table((1, 30), (2, 25), (3, 20), (4, 13), (5, 7), (6, 5))
_QUANTITIES = _Table((1, 70), (2, 20), (3, 7), (4, 2), (5, 1))
_FREE_SHIPPING_FROM = Decimal("50.00")
_SHIPPING_FEE = Decimal("4.99")


@dataclass(slots=True)
class OrderLine:
    line_number: int
    product_id: str
    quantity: int
    unit_price: Decimal
    discount: Decimal

    @property
    def net_amount(self) -> Decimal:
        return self.quantity * self.unit_price - self.discount

    def record(self, order_id: str, blank_zero_discount: bool) -> dict[str, str | None]:
        discount = None if blank_zero_discount and not self.discount else money(self.discount)
        return {
            "order_id": order_id, "line_number": str(self.line_number),
            "product_id": self.product_id, "quantity": str(self.quantity),
            "unit_price": money(self.unit_price), "discount_amount": discount,
        }


@dataclass(slots=True)
class Order:
    order_id: str
    customer_id: str
    order_ts: datetime
    status: str
    channel: str
    campaign_id: str | None
    shipping: Decimal
    payment_method: str | None
    updated_at: datetime

    def record(self, fmt: TimestampFormatter) -> dict[str, str | None]:
        return {
            "order_id": self.order_id, "customer_id": self.customer_id,
            "order_ts": fmt(self.order_ts), "status": self.status, "channel": self.channel,
            "campaign_id": self.campaign_id, "currency": CURRENCY,
            "shipping_amount": money(self.shipping), "payment_method": self.payment_method,
            "updated_at": fmt(self.updated_at),
        }


def daily_order_count(rng: random.Random, base: int, business_date: date,
                      campaign: Campaign | None) -> int:
    weekday = WEEKEND_FACTOR if business_date.weekday() >= 5 else WEEKDAY_FACTOR
    payday = 1.06 if business_date.day >= 25 or business_date.day <= 2 else 1.0
    lift = campaign.sales_lift if campaign else 1.0
    factor = weekday * _MONTH_FACTOR[business_date.month] * payday * lift
    return max(1, round(base * factor * rng.gauss(1.0, 0.04)))


def order_times(rng: random.Random, business_date: date, count: int) -> list[datetime]:
    start = day_start(business_date)
    hours = rng.choices(range(24), weights=_HOUR_WEIGHTS, k=count)
    seconds = sorted(hour * 3600 + rng.randint(0, 3599) for hour in hours)
    return [start + timedelta(seconds=s) for s in seconds]


def weighted_index(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect_right(cumulative, rng.random() * cumulative[-1])


class OrderFactory:
    def __init__(self, rng: random.Random, catalogue: Catalogue) -> None:
        self._rng = rng
        self._catalogue = catalogue

    def make(self, order_id: str, customer_id: str, order_ts: datetime,
             campaign: Campaign | None, product_weights: list[float],
             ) -> tuple[Order, list[OrderLine]]:
        rng = self._rng
        lines = self._lines(order_ts, campaign, product_weights)
        channel = _CHANNELS.pick(rng)
        subtotal = sum((line.net_amount for line in lines), ZERO)
        free = channel == "store" or subtotal >= _FREE_SHIPPING_FROM
        order = Order(
            order_id=order_id, customer_id=customer_id, order_ts=order_ts,
            status="placed" if rng.random() < 0.12 else "paid", channel=channel,
            campaign_id=campaign.campaign_id if campaign else None,
            shipping=ZERO if free else _SHIPPING_FEE,
            payment_method=_PAYMENTS.pick(rng),
            updated_at=order_ts)
        return order, lines

    def _lines(self, order_ts: datetime, campaign: Campaign | None,
               product_weights: list[float]) -> list[OrderLine]:
        rng = self._rng
        products = self._catalogue.products
        wanted = _LINE_COUNTS.pick(rng)
        chosen: list[str] = []
        for _ in range(wanted * 4):
            product_id = products[weighted_index(rng, product_weights)].product_id
            if product_id not in chosen:
                chosen.append(product_id)
            if len(chosen) == wanted:
                break
        lines = []
        for number, product_id in enumerate(chosen, start=1):
            price = self._catalogue.by_id[product_id].version_at(order_ts).list_price
            quantity = _QUANTITIES.pick(rng)
            discount = ZERO
            if campaign is not None:
                discount = to_cents(quantity * price * campaign.discount_pct / Decimal(100))
            lines.append(OrderLine(number, product_id, quantity, price, discount))
        return lines
