"""GET /api/v1/products/top: best sellers of a date range, paged."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.schemas.common import Range, money
from services.dashboard_api.schemas.sales import RankBy, TopProduct, TopProducts

router = figures_router("products")

# Ties are broken by product id, so the ranking (and so paging by rank) is stable.
_TOP = """
WITH totals AS (
  SELECT product_id, sum(revenue) AS revenue, sum(units) AS units, sum(orders) AS orders,
         (array_agg(category ORDER BY sales_date DESC))[1] AS category
  FROM marts.daily_product_sales
  WHERE sales_date BETWEEN %(start)s AND %(end)s
  GROUP BY product_id
), ranked AS (
  SELECT t.*, row_number() OVER (ORDER BY {metric} DESC, product_id) AS rank FROM totals t
)
SELECT r.rank, r.product_id, p.name, r.category, r.revenue, r.units, r.orders
FROM ranked r LEFT JOIN marts.products p USING (product_id)
WHERE r.rank > %(after)s
ORDER BY r.rank
LIMIT %(limit)s
"""
_QUERIES = {"revenue": _TOP.format(metric="revenue"), "units": _TOP.format(metric="units")}


@router.get("/products/top", response_model=TopProducts, summary="Top products")
def top_products(
    conn: ConnDep, chosen: RangeDep,
    by: Annotated[RankBy, Query(description="Rank by revenue or by units sold")] = "revenue",
    limit: Annotated[int, Query(ge=1, le=100, description="Products per page")] = 10,
    cursor: CursorQuery = None,
) -> TopProducts:
    """Products ranked by revenue or units in the range, with their category."""
    filters = {"start": chosen.start, "end": chosen.end, "by": by}
    after = decode_cursor(cursor, "products/top", filters, (int,))
    rows = fetch_all(conn, _QUERIES[by], {**filters, "after": after[0] if after else 0,
                                          "limit": limit + 1})
    page, more = split_page(rows, limit)
    items = [TopProduct(rank=r["rank"], product_id=r["product_id"], name=r["name"],
                        category=r["category"], revenue=money(r["revenue"]), units=r["units"],
                        orders=r["orders"]) for r in page]
    next_cursor = encode_cursor("products/top", filters, [items[-1].rank]) if more else None
    return TopProducts(range=Range.of(chosen), by=by, items=items, has_more=more,
                       next_cursor=next_cursor)
