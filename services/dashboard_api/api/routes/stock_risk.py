"""GET /api/v1/inventory/at-risk: products out of stock or about to run out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all, fetch_one
from services.dashboard_api.deps import ConnDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.schemas.insights import ProductAtRisk, StockRisk

router = figures_router("inventory")

# Each product's latest snapshot; its sales over the 28 days up to it give the days of
# cover. Out of stock first, then fewest days of cover; the rank is the paging key.
_AT_RISK = """
WITH latest AS (
  SELECT DISTINCT ON (product_id) *
  FROM marts.inventory_daily ORDER BY product_id, snapshot_date DESC
), rated AS (
  SELECT l.*, s.units / 28.0 AS daily_units,
         CASE WHEN s.units > 0 THEN l.on_hand / (s.units / 28.0) END AS days_of_cover
  FROM latest l
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(units_sold), 0) AS units FROM marts.inventory_daily i
    WHERE i.product_id = l.product_id
      AND i.snapshot_date > l.snapshot_date - 28 AND i.snapshot_date <= l.snapshot_date) s
), risky AS (
  SELECT r.*, row_number() OVER (
           ORDER BY is_stockout DESC, days_of_cover NULLS LAST, product_id) AS rank
  FROM rated r
  WHERE is_stockout OR below_reorder_point OR days_of_cover < %(cover_days)s
)
SELECT k.*, p.name, p.category
FROM risky k LEFT JOIN marts.products p USING (product_id)
WHERE k.rank > %(after)s ORDER BY k.rank LIMIT %(limit)s
"""


@router.get("/inventory/at-risk", response_model=StockRisk, summary="Products at risk")
def get_products_at_risk(
    conn: ConnDep,
    cover_days: Annotated[int, Query(
        ge=1, le=365, description="Also products with fewer days of cover than this")] = 14,
    limit: Annotated[int, Query(ge=1, le=500, description="Products per page")] = 50,
    cursor: CursorQuery = None,
) -> StockRisk:
    """Products whose latest inventory snapshot is out of stock or below the reorder
    point, or whose stock covers fewer than `cover_days` days at the last 28 days'
    sales rate; out of stock first, then fewest days of cover."""
    filters = {"cover_days": cover_days}
    after = decode_cursor(cursor, "inventory/at-risk", filters, (int,))
    rows = fetch_all(conn, _AT_RISK, {**filters, "after": after[0] if after else 0,
                                      "limit": limit + 1})
    page, more = split_page(rows, limit)
    items = [ProductAtRisk(
        product_id=r["product_id"], name=r["name"], category=r["category"],
        snapshot_date=r["snapshot_date"], on_hand=r["on_hand"],
        reorder_point=r["reorder_point"], warehouses=r["warehouses"],
        warehouses_out=r["warehouses_out"], is_stockout=r["is_stockout"],
        below_reorder_point=r["below_reorder_point"],
        daily_units=round(float(r["daily_units"]), 2),
        days_of_cover=(round(float(r["days_of_cover"]), 1)
                       if r["days_of_cover"] is not None else None)) for r in page]
    as_of = fetch_one(conn, "SELECT max(snapshot_date) AS d FROM marts.inventory_daily")
    next_cursor = (encode_cursor("inventory/at-risk", filters, [page[-1]["rank"]])
                   if more else None)
    return StockRisk(as_of=as_of["d"] if as_of else None, items=items, has_more=more,
                     next_cursor=next_cursor)
