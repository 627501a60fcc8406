"""GET /api/v1/attribution: revenue and orders credited to campaigns and channels."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.schemas.common import Range, money
from services.dashboard_api.schemas.sales import (
    Attribution,
    AttributionModel,
    CampaignCredit,
    ChannelCredit,
)

router = figures_router("marketing")

_BY_CAMPAIGN = """
SELECT campaign_id, min(campaign_name) AS campaign_name, min(channel) AS channel,
       sum(revenue) AS revenue, sum(orders) AS orders
FROM marts.attribution
WHERE model = %(model)s AND order_date BETWEEN %(start)s AND %(end)s
GROUP BY campaign_id
ORDER BY sum(revenue) DESC, campaign_id
"""


@router.get("/attribution", response_model=Attribution, summary="Campaign attribution")
def get_attribution(
    conn: ConnDep, chosen: RangeDep,
    model: Annotated[AttributionModel, Query(
        description="first_touch, last_touch or linear (30-day lookback)")] = "last_touch",
) -> Attribution:
    """Revenue and orders of the range credited per campaign and per channel under the
    chosen model; orders without a campaign touch are credited to '(none)' / direct."""
    rows = fetch_all(conn, _BY_CAMPAIGN, {"model": model, "start": chosen.start,
                                          "end": chosen.end})
    campaigns = [CampaignCredit(campaign_id=r["campaign_id"], campaign_name=r["campaign_name"],
                                channel=r["channel"], revenue=money(r["revenue"]),
                                orders=round(float(r["orders"]), 4)) for r in rows]
    channels: dict[str, list] = {}
    for r in rows:
        totals = channels.setdefault(r["channel"], [0, 0])
        totals[0] += r["revenue"]
        totals[1] += r["orders"]
    by_channel = [ChannelCredit(channel=name, revenue=money(revenue),
                                orders=round(float(orders), 4))
                  for name, (revenue, orders) in sorted(
                      channels.items(), key=lambda item: (-item[1][0], item[0]))]
    return Attribution(range=Range.of(chosen), model=model, campaigns=campaigns,
                       channels=by_channel)
