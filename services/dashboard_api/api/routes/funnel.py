"""GET /api/v1/funnel: sessions reaching each step of the purchase funnel."""

from __future__ import annotations

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_one
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.schemas.common import Range, ratio
from services.dashboard_api.schemas.sales import Funnel, FunnelStep

router = figures_router("marketing")

STEPS = (("session", "sessions"), ("product_view", "product_view_sessions"),
         ("add_to_cart", "add_to_cart_sessions"), ("checkout", "checkout_sessions"),
         ("purchase", "purchase_sessions"))

_FUNNEL = """
SELECT coalesce(sum(sessions), 0) AS sessions,
       coalesce(sum(product_view_sessions), 0) AS product_view_sessions,
       coalesce(sum(add_to_cart_sessions), 0) AS add_to_cart_sessions,
       coalesce(sum(checkout_sessions), 0) AS checkout_sessions,
       coalesce(sum(purchase_sessions), 0) AS purchase_sessions
FROM marts.daily_funnel
WHERE session_date BETWEEN %(start)s AND %(end)s
"""


@router.get("/funnel", response_model=Funnel, summary="Purchase funnel")
def get_funnel(conn: ConnDep, chosen: RangeDep) -> Funnel:
    """Sessions (30-minute inactivity) of the range reaching each step, with the
    conversion from the previous step and from the start."""
    row = fetch_one(conn, _FUNNEL, {"start": chosen.start, "end": chosen.end})
    assert row is not None
    sessions = row["sessions"]
    steps, previous = [], sessions
    for step, column in STEPS:
        reached = row[column]
        steps.append(FunnelStep(step=step, sessions=reached,
                                step_conversion=ratio(reached, previous),
                                overall_conversion=ratio(reached, sessions)))
        previous = reached
    return Funnel(range=Range.of(chosen), sessions=sessions,
                  conversion_rate=ratio(row["purchase_sessions"], sessions), steps=steps)
