"""Order status moving forward across later batches, and the reviews that follow.

An order is first delivered as placed or paid; later batches carry new versions
of it (paid, shipped, delivered, some cancelled or returned), each with a later
updated_at. Every change is planned when the order is made and falls within
STATUS_HORIZON_DAYS, so only that many days of orders are ever held in memory.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from shopflow.generate.config import STATUS_HORIZON_DAYS
from shopflow.generate.orders import Order, OrderLine

_REVIEW_CHANCE = 0.15


@dataclass(slots=True)
class StatusChange:
    order: Order
    status: str
    at: datetime


@dataclass(slots=True)
class ReviewPlan:
    order_id: str
    customer_id: str
    product_id: str
    at: datetime
    unhappy: bool


class Lifecycle:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._changes: dict[int, list[StatusChange]] = {}
        self._reviews: dict[int, list[ReviewPlan]] = {}

    def plan(self, order: Order, lines: list[OrderLine], day_index: int) -> None:
        """Schedules the order's later versions (and maybe a review) by day offset."""
        rng = self._rng
        offset = 0
        if order.status == "placed":
            offset += 1
            if rng.random() < 0.25:
                self._change(order, day_index, offset, "cancelled")
                return
            self._change(order, day_index, offset, "paid")
        if rng.random() < 0.03:
            self._change(order, day_index, offset + 1, "cancelled")
            return
        offset += rng.randint(1, 2)
        self._change(order, day_index, offset, "shipped")
        offset += rng.randint(1, 4)
        self._change(order, day_index, offset, "delivered")
        returned = rng.random() < 0.06
        if returned:
            self._change(order, day_index, offset + rng.randint(2, 6), "returned")
        review_offset = offset + rng.randint(1, 5)
        if rng.random() < _REVIEW_CHANCE and review_offset <= STATUS_HORIZON_DAYS:
            product_id = rng.choice(lines).product_id
            self._reviews.setdefault(day_index + review_offset, []).append(ReviewPlan(
                order.order_id, order.customer_id, product_id,
                self._time_after(order, review_offset), returned))

    def _change(self, order: Order, day_index: int, offset: int, status: str) -> None:
        change = StatusChange(order, status, self._time_after(order, offset))
        self._changes.setdefault(day_index + offset, []).append(change)

    def _time_after(self, order: Order, offset: int) -> datetime:
        midnight = order.order_ts.replace(hour=0, minute=0, second=0)
        return midnight + timedelta(days=offset, seconds=self._rng.randint(6 * 3600, 22 * 3600))

    def changes_due(self, day_index: int) -> list[StatusChange]:
        due = self._changes.pop(day_index, [])
        due.sort(key=lambda change: (change.at, change.order.order_id))
        return due

    def reviews_due(self, day_index: int) -> list[ReviewPlan]:
        due = self._reviews.pop(day_index, [])
        due.sort(key=lambda plan: (plan.at, plan.order_id))
        return due
