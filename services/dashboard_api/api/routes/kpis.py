"""GET /api/v1/kpis: the headline figures of a date range."""

from __future__ import annotations

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_one
from services.dashboard_api.deps import ConnDep, LastDateDep, RangeDep
from services.dashboard_api.schemas.common import Range, money, money_ratio, ratio
from services.dashboard_api.schemas.sales import Kpis

router = figures_router("sales")

_KPIS = """
SELECT
  (SELECT coalesce(sum(revenue), 0) FROM marts.daily_sales
    WHERE sales_date BETWEEN %(start)s AND %(end)s) AS revenue,
  (SELECT coalesce(sum(orders), 0) FROM marts.daily_sales
    WHERE sales_date BETWEEN %(start)s AND %(end)s) AS orders,
  (SELECT coalesce(sum(units), 0) FROM marts.daily_sales
    WHERE sales_date BETWEEN %(start)s AND %(end)s) AS units,
  (SELECT count(DISTINCT customer_id) FROM marts.customer_daily_sales
    WHERE sales_date BETWEEN %(start)s AND %(end)s) AS customers,
  (SELECT count(*) FROM marts.customer_lifetime
    WHERE first_order_date BETWEEN %(start)s AND %(end)s) AS new_customers,
  (SELECT coalesce(sum(sessions), 0) FROM marts.daily_funnel
    WHERE session_date BETWEEN %(start)s AND %(end)s) AS sessions,
  (SELECT coalesce(sum(purchase_sessions), 0) FROM marts.daily_funnel
    WHERE session_date BETWEEN %(start)s AND %(end)s) AS purchase_sessions
"""


@router.get("/kpis", response_model=Kpis, summary="Headline KPIs for a date range")
def get_kpis(conn: ConnDep, chosen: RangeDep, last_date: LastDateDep) -> Kpis:
    """Revenue, orders, AOV, units, customers, new customers, sessions and conversion
    rate for the inclusive UTC date range (default: the last 30 days in the warehouse)."""
    row = fetch_one(conn, _KPIS, {"start": chosen.start, "end": chosen.end})
    assert row is not None
    return Kpis(
        range=Range.of(chosen), revenue=money(row["revenue"]), orders=row["orders"],
        aov=money_ratio(row["revenue"], row["orders"]), units=row["units"],
        customers=row["customers"], new_customers=row["new_customers"],
        sessions=row["sessions"],
        conversion_rate=ratio(row["purchase_sessions"], row["sessions"]),
        as_of=last_date)
