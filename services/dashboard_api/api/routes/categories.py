"""GET /api/v1/categories: revenue, orders, units and margin per category."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.schemas.common import Range, money, ratio
from services.dashboard_api.schemas.sales import Categories, CategoryFigures

router = figures_router("products")

_CATEGORIES = """
SELECT category, sum(revenue) AS revenue, sum(orders) AS orders, sum(units) AS units,
       sum(cost_amount) AS cost, sum(margin_amount) AS margin
FROM marts.daily_category_sales
WHERE sales_date BETWEEN %(start)s AND %(end)s
GROUP BY category
ORDER BY sum(revenue) DESC, category
"""
# With a channel: the same figures from the sold lines with their order's channel.
_CATEGORIES_OF_CHANNEL = """
SELECT category, sum(revenue) AS revenue, count(DISTINCT order_id) AS orders,
       sum(units) AS units, sum(cost_amount) AS cost, sum(margin_amount) AS margin
FROM marts.sales_lines
WHERE sales_date BETWEEN %(start)s AND %(end)s AND channel = %(channel)s
GROUP BY category
ORDER BY sum(revenue) DESC, category
"""


def _margin_rate(margin: Decimal, revenue: Decimal) -> float:
    return round(float(margin / revenue), 4) if revenue else 0.0


@router.get("/categories", response_model=Categories, summary="Category performance")
def get_categories(
    conn: ConnDep, chosen: RangeDep,
    channel: Annotated[str | None, Query(
        min_length=1, max_length=100, description="Only orders of this sales channel")
    ] = None,
) -> Categories:
    """Per product category (the product's category at order time): revenue, orders
    (orders with a line in the category), units, cost of goods and margin."""
    rows = fetch_all(conn, _CATEGORIES if channel is None else _CATEGORIES_OF_CHANNEL,
                     {"start": chosen.start, "end": chosen.end, "channel": channel})
    total = sum((r["revenue"] for r in rows), Decimal(0))
    items = [CategoryFigures(
        category=r["category"], revenue=money(r["revenue"]), orders=r["orders"],
        units=r["units"], cost=money(r["cost"]), margin=money(r["margin"]),
        margin_rate=_margin_rate(r["margin"], r["revenue"]),
        revenue_share=ratio(r["revenue"], total)) for r in rows]
    return Categories(range=Range.of(chosen), items=items)
