"""GET /api/v1/sales: revenue, orders and units per day, week or month."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.params import DateRange
from services.dashboard_api.schemas.common import Range, money
from services.dashboard_api.schemas.sales import Grain, Sales, SalesPoint

router = figures_router("sales")

# Every day of the range appears (zero when nothing sold) so charts have no gaps.
_SALES = """
WITH days AS (
  SELECT d::date AS day
  FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
), sold AS (
  SELECT sales_date, revenue, orders, units FROM {source}
  WHERE sales_date BETWEEN %(start)s AND %(end)s {category_filter}
)
SELECT date_trunc(%(grain)s, days.day)::date AS period, min(days.day) AS first_day,
       max(days.day) AS last_day, coalesce(sum(sold.revenue), 0) AS revenue,
       coalesce(sum(sold.orders), 0) AS orders, coalesce(sum(sold.units), 0) AS units
FROM days LEFT JOIN sold ON sold.sales_date = days.day
GROUP BY 1 ORDER BY 1
"""
_ALL = _SALES.format(source="marts.daily_sales", category_filter="")
_ONE_CATEGORY = _SALES.format(source="marts.daily_category_sales",
                              category_filter="AND category = %(category)s")
# With a channel: the sold lines with their order's channel, summed per day.
_ONE_CHANNEL = _SALES.format(source="""(
    SELECT sales_date, sum(revenue) AS revenue, count(DISTINCT order_id) AS orders,
           sum(units) AS units
    FROM marts.sales_lines
    WHERE channel = %(channel)s AND (%(category)s::text IS NULL OR category = %(category)s)
    GROUP BY sales_date) AS lines""", category_filter="")


def sales_points(conn: ConnDep, chosen: DateRange, grain: str,
                 category: str | None, channel: str | None = None) -> list[SalesPoint]:
    params = {"start": chosen.start, "end": chosen.end, "grain": grain, "category": category,
              "channel": channel}
    query = _ONE_CHANNEL if channel else (_ALL if category is None else _ONE_CATEGORY)
    rows = fetch_all(conn, query, params)
    return [SalesPoint(period=r["period"], start=r["first_day"], end=r["last_day"],
                       revenue=money(r["revenue"]), orders=r["orders"], units=r["units"])
            for r in rows]


@router.get("/sales", response_model=Sales, summary="Sales per period")
def get_sales(
    conn: ConnDep, chosen: RangeDep,
    grain: Annotated[Grain, Query(description="Period length; weeks are ISO weeks")] = "day",
    category: Annotated[str | None, Query(
        min_length=1, max_length=200, description="Only lines of this product category")
    ] = None,
    channel: Annotated[str | None, Query(
        min_length=1, max_length=100, description="Only orders of this sales channel")
    ] = None,
) -> Sales:
    """Revenue, orders and units per period of the range, every period present (zero
    when nothing sold). Periods at the edges are cut to the range (`start`/`end`)."""
    return Sales(range=Range.of(chosen), grain=grain, category=category, channel=channel,
                 points=sales_points(conn, chosen, grain, category, channel))

