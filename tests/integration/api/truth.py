"""The generator's truth (truth.json), summed over the ranges the API is asked for."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def daily(truth: dict[str, Any], day: date) -> dict[str, Any]:
    zero = {"revenue": "0.00", "orders": 0, "units": 0, "customers": 0, "new_customers": 0}
    return truth["metrics"]["daily"].get(day.isoformat(), zero)


def range_totals(truth: dict[str, Any], start: date, end: date) -> dict[str, Any]:
    """revenue, orders, units, new_customers over [start, end] (customers do not add up)."""
    totals: dict[str, Any] = {"revenue": Decimal(0), "orders": 0, "units": 0,
                              "new_customers": 0}
    for day in days(start, end):
        figures = daily(truth, day)
        totals["revenue"] += Decimal(figures["revenue"])
        for name in ("orders", "units", "new_customers"):
            totals[name] += figures[name]
    return totals


def category_totals(truth: dict[str, Any], start: date, end: date) -> dict[str, dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"revenue": Decimal(0), "orders": 0, "units": 0, "cost": Decimal(0)})
    for day in days(start, end):
        for category, f in truth["metrics"]["daily_by_category"].get(day.isoformat(), {}).items():
            into = totals[category]
            into["revenue"] += Decimal(f["revenue"])
            into["cost"] += Decimal(f["cost"])
            into["orders"] += f["orders"]
            into["units"] += f["units"]
    return dict(totals)


def first_and_last_day(truth: dict[str, Any]) -> tuple[date, date]:
    sold = sorted(truth["metrics"]["daily"])
    return date.fromisoformat(sold[0]), date.fromisoformat(sold[-1])


def money(value: Decimal) -> str:
    return f"{value:.2f}"
