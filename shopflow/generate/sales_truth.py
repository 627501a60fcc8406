"""The metrics the warehouse must show, accumulated from the generated records.

Only records the warehouse will see count (not defective, not in a quarantined
or re-delivered file; an exact duplicate once). An order qualifies when its
latest kept version (by updated_at) is neither cancelled nor returned; a line's
category and unit cost are those of the latest kept product version with
updated_at <= order_ts. An order's figures are final once STATUS_HORIZON_DAYS
have passed, so only that window of orders is held in memory.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from shopflow.generate.config import STATUS_HORIZON_DAYS
from shopflow.generate.formats import ZERO, money
from shopflow.generate.orders import Order, OrderLine

NOT_QUALIFYING = frozenset({"cancelled", "returned"})


@dataclass(slots=True)
class _OrderFacts:
    order_date: date
    customer_id: str
    latest_at: datetime | None = None
    latest_status: str | None = None
    lines: list[tuple[str, int, Decimal, Decimal]] = field(default_factory=list)

    @property
    def qualifies(self) -> bool:
        return self.latest_status is not None and self.latest_status not in NOT_QUALIFYING


@dataclass(slots=True)
class _Totals:
    revenue: Decimal = ZERO
    orders: int = 0
    units: int = 0
    cost: Decimal = ZERO

    def as_json(self, with_cost: bool) -> dict[str, object]:
        figures: dict[str, object] = {"revenue": money(self.revenue), "orders": self.orders,
                                      "units": self.units}
        if with_cost:
            figures["cost"] = money(self.cost)
        return figures


class SalesTruth:
    def __init__(self) -> None:
        self._product_versions: dict[str, list[tuple[datetime, str, Decimal]]] = {}
        self._open: dict[str, _OrderFacts] = {}
        self._opened_on: dict[int, list[str]] = {}
        self._buyers: set[str] = set()
        self._total = _Totals()
        self._total_by_category: dict[str, _Totals] = {}
        self.daily: dict[str, dict[str, object]] = {}
        self.daily_by_category: dict[str, dict[str, dict[str, object]]] = {}

    def product_version(self, product_id: str, updated_at: datetime, category: str,
                        unit_cost: Decimal) -> None:
        versions = self._product_versions.setdefault(product_id, [])
        bisect.insort(versions, (updated_at, category, unit_cost))

    def _version_at(self, product_id: str, instant: datetime) -> tuple[str, Decimal]:
        versions = self._product_versions[product_id]
        position = bisect.bisect_right([at for at, _, _ in versions], instant)
        if position == 0:
            raise LookupError(f"no kept version of {product_id} at {instant}")
        _, category, unit_cost = versions[position - 1]
        return category, unit_cost

    def _facts(self, order: Order, day_index: int) -> _OrderFacts:
        facts = self._open.get(order.order_id)
        if facts is None:
            facts = _OrderFacts(order.order_ts.date(), order.customer_id)
            self._open[order.order_id] = facts
            self._opened_on.setdefault(day_index, []).append(order.order_id)
        return facts

    def order_version(self, order: Order, day_index: int, kept: bool) -> None:
        facts = self._facts(order, day_index)
        if kept and (facts.latest_at is None or order.updated_at > facts.latest_at):
            facts.latest_at, facts.latest_status = order.updated_at, order.status

    def order_line(self, order: Order, line: OrderLine, day_index: int, kept: bool) -> None:
        facts = self._facts(order, day_index)
        if kept:
            category, unit_cost = self._version_at(line.product_id, order.order_ts)
            facts.lines.append((category, line.quantity, line.net_amount,
                                line.quantity * unit_cost))

    def close_day(self, today: int) -> None:
        """Finalises the orders that can no longer change."""
        self._finalise(today - STATUS_HORIZON_DAYS - 1)

    def finish(self) -> None:
        for day_index in sorted(self._opened_on):
            self._finalise(day_index)

    def _finalise(self, day_index: int) -> None:
        order_ids = self._opened_on.pop(day_index, None)
        if order_ids is None:
            return
        by_date: dict[date, list[_OrderFacts]] = {}
        for order_id in order_ids:
            facts = self._open.pop(order_id)
            by_date.setdefault(facts.order_date, []).append(facts)
        for order_date, orders in sorted(by_date.items()):
            self._add_date(order_date, [facts for facts in orders if facts.qualifies])

    def _add_date(self, order_date: date, orders: list[_OrderFacts]) -> None:
        day, by_category = _Totals(), dict[str, _Totals]()
        customers = sorted({facts.customer_id for facts in orders})
        new_customers = [c for c in customers if c not in self._buyers]
        self._buyers.update(customers)
        for facts in orders:
            day.orders += 1
            for category in sorted({line[0] for line in facts.lines}):
                by_category.setdefault(category, _Totals()).orders += 1
            for category, quantity, net, cost in facts.lines:
                for totals in (day, by_category[category]):
                    totals.revenue += net
                    totals.units += quantity
                    totals.cost += cost
        key = order_date.isoformat()
        self.daily[key] = {**day.as_json(with_cost=False), "customers": len(customers),
                           "new_customers": len(new_customers)}
        self.daily_by_category[key] = {c: t.as_json(with_cost=True)
                                       for c, t in sorted(by_category.items())}
        _accumulate(self._total, day)
        for category, totals in by_category.items():
            _accumulate(self._total_by_category.setdefault(category, _Totals()), totals)

    def totals(self) -> dict[str, object]:
        return {**self._total.as_json(with_cost=False), "customers": len(self._buyers),
                "new_customers": len(self._buyers)}

    def totals_by_category(self) -> dict[str, dict[str, object]]:
        return {c: t.as_json(with_cost=True) for c, t in sorted(self._total_by_category.items())}


def _accumulate(into: _Totals, part: _Totals) -> None:
    into.revenue += part.revenue
    into.orders += part.orders
    into.units += part.units
    into.cost += part.cost
