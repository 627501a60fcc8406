"""GET /api/v1/campaigns[/{campaign_id}/daily]: campaigns under every attribution model."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all, fetch_one
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.problems import not_found, problem_responses
from services.dashboard_api.schemas.common import Range, money
from services.dashboard_api.schemas.insights import (
    CampaignFigures,
    CampaignList,
    CampaignPoint,
    CampaignSeries,
)
from services.dashboard_api.schemas.sales import AttributionModel, Grain

router = figures_router("marketing")

_CAMPAIGNS = """
WITH credit AS (
  SELECT campaign_id,
         sum(revenue) FILTER (WHERE model = 'first_touch') AS first_touch,
         sum(revenue) FILTER (WHERE model = 'last_touch') AS last_touch,
         sum(revenue) FILTER (WHERE model = 'linear') AS linear,
         sum(orders) FILTER (WHERE model = 'last_touch') AS orders_last_touch
  FROM marts.attribution_daily
  WHERE order_date BETWEEN %(start)s AND %(end)s AND campaign_id <> '(none)'
  GROUP BY campaign_id
)
SELECT c.campaign_id, c.name, c.channel, c.start_date, c.end_date, c.budget,
       k.first_touch, k.last_touch, k.linear, k.orders_last_touch
FROM marts.campaigns c LEFT JOIN credit k USING (campaign_id)
WHERE k.campaign_id IS NOT NULL
   OR (c.start_date <= %(end)s AND (c.end_date IS NULL OR c.end_date >= %(start)s))
ORDER BY coalesce(k.last_touch, 0) DESC, c.campaign_id
"""
_SERIES = """
WITH days AS (
  SELECT d::date AS day
  FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
)
SELECT date_trunc(%(grain)s, days.day)::date AS period, min(days.day) AS first_day,
       max(days.day) AS last_day, coalesce(sum(a.revenue), 0) AS revenue,
       coalesce(sum(a.orders), 0) AS orders
FROM days LEFT JOIN marts.attribution_daily a
  ON a.order_date = days.day AND a.campaign_id = %(campaign_id)s AND a.model = %(model)s
GROUP BY 1 ORDER BY 1
"""


@router.get("/campaigns", response_model=CampaignList, summary="Campaigns by model")
def list_campaigns(conn: ConnDep, chosen: RangeDep) -> CampaignList:
    """Campaigns running in the range or credited with orders in it: the revenue each
    attribution model credits them (30-day lookback), side by side, and the budget."""
    rows = fetch_all(conn, _CAMPAIGNS, {"start": chosen.start, "end": chosen.end})
    items = [CampaignFigures(
        campaign_id=r["campaign_id"], name=r["name"], channel=r["channel"],
        start_date=r["start_date"], end_date=r["end_date"],
        budget=money(r["budget"]) if r["budget"] is not None else None,
        first_touch=money(r["first_touch"]), last_touch=money(r["last_touch"]),
        linear=money(r["linear"]),
        orders_last_touch=round(float(r["orders_last_touch"] or 0), 4)) for r in rows]
    return CampaignList(range=Range.of(chosen), items=items)


@router.get("/campaigns/{campaign_id}/daily", response_model=CampaignSeries,
            summary="One campaign over time", responses=problem_responses(404))
def get_campaign_series(
    conn: ConnDep, chosen: RangeDep,
    campaign_id: Annotated[str, Path(min_length=1, max_length=200)],
    model: Annotated[AttributionModel, Query(description="Attribution model")] = "last_touch",
    grain: Annotated[Grain, Query(description="Period length; weeks are ISO weeks")] = "day",
) -> CampaignSeries:
    """Revenue and orders credited to the campaign per period ('(none)': orders without
    a campaign touch), every period present."""
    if campaign_id != "(none)" and fetch_one(
            conn, "SELECT 1 FROM marts.campaigns WHERE campaign_id = %s", (campaign_id,)) is None:
        raise not_found(f"no campaign {campaign_id!r} in the warehouse")
    rows = fetch_all(conn, _SERIES, {"start": chosen.start, "end": chosen.end, "grain": grain,
                                     "campaign_id": campaign_id, "model": model})
    points = [CampaignPoint(period=r["period"], start=r["first_day"], end=r["last_day"],
                            revenue=money(r["revenue"]), orders=round(float(r["orders"]), 4))
              for r in rows]
    return CampaignSeries(campaign_id=campaign_id, range=Range.of(chosen), model=model,
                          grain=grain, points=points)
