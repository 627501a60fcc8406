"""GET /api/v1/inventory/stockouts: stockout days and turnover per product, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.schemas.common import Range
from services.dashboard_api.schemas.sales import ProductStockouts, Stockouts

router = figures_router("inventory")

# Most stockout days first; the rank (ties by product id) is the paging key.
_STOCKOUTS = """
WITH per_product AS (
  SELECT product_id, count(*) FILTER (WHERE is_stockout) AS stockout_days,
         count(*) AS days_observed,
         count(*) FILTER (WHERE below_reorder_point) AS below_reorder_days,
         avg(on_hand) AS average_on_hand, sum(units_sold) AS units_sold
  FROM marts.inventory_daily
  WHERE snapshot_date BETWEEN %(start)s AND %(end)s
  GROUP BY product_id
), ranked AS (
  SELECT p.*, row_number() OVER (ORDER BY stockout_days DESC, product_id) AS rank
  FROM per_product p
)
SELECT r.*, m.name, m.category
FROM ranked r LEFT JOIN marts.products m USING (product_id)
WHERE r.rank > %(after)s AND (r.stockout_days > 0 OR NOT %(only_stockouts)s)
ORDER BY r.rank
LIMIT %(limit)s
"""


def _turnover(units_sold: int, average_on_hand: float) -> float | None:
    return round(units_sold / average_on_hand, 4) if average_on_hand > 0 else None


@router.get("/inventory/stockouts", response_model=Stockouts, summary="Stockouts and turnover")
def get_stockouts(
    conn: ConnDep, chosen: RangeDep,
    only_stockouts: Annotated[bool, Query(
        description="Only products with at least one stockout day")] = True,
    limit: Annotated[int, Query(ge=1, le=500, description="Products per page")] = 50,
    cursor: CursorQuery = None,
) -> Stockouts:
    """Per product over the range: days with nothing on hand in any warehouse, days
    below the reorder point, average stock, units sold and turnover."""
    filters = {"start": chosen.start, "end": chosen.end, "only_stockouts": only_stockouts}
    after = decode_cursor(cursor, "inventory/stockouts", filters, (int,))
    rows = fetch_all(conn, _STOCKOUTS, {**filters, "after": after[0] if after else 0,
                                        "limit": limit + 1})
    page, more = split_page(rows, limit)
    items = [ProductStockouts(
        product_id=r["product_id"], name=r["name"], category=r["category"],
        stockout_days=r["stockout_days"], days_observed=r["days_observed"],
        below_reorder_days=r["below_reorder_days"],
        average_on_hand=round(float(r["average_on_hand"]), 2), units_sold=r["units_sold"],
        turnover=_turnover(r["units_sold"], float(r["average_on_hand"]))) for r in page]
    next_cursor = (encode_cursor("inventory/stockouts", filters, [page[-1]["rank"]])
                   if more else None)
    return Stockouts(range=Range.of(chosen), items=items, has_more=more,
                     next_cursor=next_cursor)
