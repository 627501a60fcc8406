"""GET /api/v1/segments and /api/v1/cohorts: the customer base in groups."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, LastDateDep
from services.dashboard_api.schemas.common import money, ratio
from services.dashboard_api.schemas.customers import (
    Cohort,
    CohortCell,
    Cohorts,
    SegmentFigures,
    Segments,
)

router = figures_router("customers")

_GROUPS = """
SELECT 'segment' AS grouping, coalesce(segment, '(unknown)') AS name, count(*) AS customers,
       count(*) FILTER (WHERE orders > 0) AS buyers, sum(total_revenue) AS revenue
FROM marts.customer_ltv GROUP BY 2
UNION ALL
SELECT 'rfm', rfm_segment, count(*), count(*) FILTER (WHERE orders > 0), sum(total_revenue)
FROM marts.customer_ltv GROUP BY 2
UNION ALL
SELECT 'churn', coalesce(churn_risk, 'no_orders'), count(*),
       count(*) FILTER (WHERE orders > 0), sum(total_revenue)
FROM marts.customer_ltv GROUP BY 2
ORDER BY 1, 5 DESC, 2
"""
_COHORTS = """
SELECT cohort_month, activity_month, months_since_first, customers, orders, revenue,
       cohort_customers, retention_rate
FROM marts.cohort_retention
ORDER BY cohort_month, months_since_first
"""


def _group(rows: list[dict[str, Any]], grouping: str) -> list[SegmentFigures]:
    chosen = [r for r in rows if r["grouping"] == grouping]
    total = sum((r["revenue"] for r in chosen), Decimal(0))
    return [SegmentFigures(name=r["name"], customers=r["customers"], buyers=r["buyers"],
                           revenue=money(r["revenue"]), revenue_share=ratio(r["revenue"], total))
            for r in chosen]


@router.get("/segments", response_model=Segments, summary="Customer segments")
def get_segments(conn: ConnDep, last_date: LastDateDep) -> Segments:
    """Customers and lifetime revenue per loyalty segment, per RFM segment and per
    churn risk (customers without orders are 'no_orders')."""
    rows = fetch_all(conn, _GROUPS)
    by_segment = _group(rows, "segment")
    return Segments(as_of=last_date,
                    customers=sum(s.customers for s in by_segment), by_segment=by_segment,
                    by_rfm_segment=_group(rows, "rfm"), by_churn_risk=_group(rows, "churn"))


@router.get("/cohorts", response_model=Cohorts, summary="Cohort retention")
def get_cohorts(
    conn: ConnDep,
    grain: Annotated[Literal["month"], Query(description="Cohort period (month)")] = "month",
) -> Cohorts:
    """Retention matrix: per month of first order, the share of the cohort ordering
    again in each later month (month 0 is the cohort itself)."""
    cohorts: dict[Any, Cohort] = {}
    for r in fetch_all(conn, _COHORTS):
        cohort = cohorts.setdefault(r["cohort_month"], Cohort(
            cohort=r["cohort_month"], customers=r["cohort_customers"], cells=[]))
        cohort.cells.append(CohortCell(
            months_since_first=r["months_since_first"], activity_month=r["activity_month"],
            customers=r["customers"], orders=r["orders"], revenue=money(r["revenue"]),
            retention_rate=float(r["retention_rate"])))
    return Cohorts(grain=grain, cohorts=list(cohorts.values()))
