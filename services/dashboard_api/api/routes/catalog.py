"""GET /api/v1/channels and /api/v1/products: sales by channel, products filtered.

Both read marts.sales_lines (revenue lines with the order's channel), so category
and channel filter them together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.schemas.catalog import (
    ChannelFigures,
    Channels,
    ProductFigures,
    ProductList,
)
from services.dashboard_api.schemas.common import Range, money, ratio
from services.dashboard_api.schemas.sales import RankBy

router = figures_router("products")

CategoryQuery = Annotated[str | None, Query(
    min_length=1, max_length=200, description="Only lines of this product category")]
ChannelQuery = Annotated[str | None, Query(
    min_length=1, max_length=100, description="Only orders of this sales channel")]

_FILTERS = """
sales_date BETWEEN %(start)s AND %(end)s
AND (%(category)s::text IS NULL OR category = %(category)s)
AND (%(channel)s::text IS NULL OR channel = %(channel)s)
"""
_CHANNELS = f"""
SELECT channel, sum(revenue) AS revenue, count(DISTINCT order_id) AS orders,
       sum(units) AS units
FROM marts.sales_lines WHERE {_FILTERS}
GROUP BY channel ORDER BY sum(revenue) DESC, channel
"""
# Ties are broken by product id, so the ranking (and so paging by rank) is stable.
_PRODUCTS = f"""
WITH totals AS (
  SELECT product_id, sum(revenue) AS revenue, sum(units) AS units,
         count(DISTINCT order_id) AS orders,
         (array_agg(category ORDER BY sales_date DESC, order_id))[1] AS category
  FROM marts.sales_lines WHERE {_FILTERS}
  GROUP BY product_id
), ranked AS (
  SELECT t.*, row_number() OVER (ORDER BY {{metric}} DESC, product_id) AS rank FROM totals t
)
SELECT r.*, p.name, p.list_price,
       (SELECT round(avg(rating), 2) FROM marts.product_reviews v
         WHERE v.product_id = r.product_id) AS rating
FROM ranked r LEFT JOIN marts.products p USING (product_id)
WHERE r.rank > %(after)s
ORDER BY r.rank
LIMIT %(limit)s
"""
_RANKINGS = {"revenue": _PRODUCTS.format(metric="revenue"),
             "units": _PRODUCTS.format(metric="units")}


@router.get("/channels", response_model=Channels, summary="Sales per channel")
def get_channels(conn: ConnDep, chosen: RangeDep, category: CategoryQuery = None) -> Channels:
    """Revenue, orders and units per sales channel of the order (web, app, store, ...)
    over the range, optionally for one category."""
    rows = fetch_all(conn, _CHANNELS, {"start": chosen.start, "end": chosen.end,
                                       "category": category, "channel": None})
    total = sum((r["revenue"] for r in rows), Decimal(0))
    items = [ChannelFigures(channel=r["channel"], revenue=money(r["revenue"]),
                            orders=r["orders"], units=r["units"],
                            revenue_share=ratio(r["revenue"], total)) for r in rows]
    return Channels(range=Range.of(chosen), category=category, items=items)


@router.get("/products", response_model=ProductList, summary="Products, filtered")
def list_products(
    conn: ConnDep, chosen: RangeDep, category: CategoryQuery = None,
    channel: ChannelQuery = None,
    by: Annotated[RankBy, Query(description="Rank by revenue or by units sold")] = "revenue",
    limit: Annotated[int, Query(ge=1, le=200, description="Products per page")] = 50,
    cursor: CursorQuery = None,
) -> ProductList:
    """Products sold in the range, ranked by revenue or units, optionally only lines of
    one category and/or orders of one channel; with the current list price and the
    average review rating."""
    filters = {"start": chosen.start, "end": chosen.end, "category": category,
               "channel": channel, "by": by}
    after = decode_cursor(cursor, "products", filters, (int,))
    rows = fetch_all(conn, _RANKINGS[by], {**filters, "after": after[0] if after else 0,
                                           "limit": limit + 1})
    page, more = split_page(rows, limit)
    items = [ProductFigures(
        rank=r["rank"], product_id=r["product_id"], name=r["name"], category=r["category"],
        revenue=money(r["revenue"]), units=r["units"], orders=r["orders"],
        list_price=money(r["list_price"]) if r["list_price"] is not None else None,
        rating=float(r["rating"]) if r["rating"] is not None else None) for r in page]
    next_cursor = encode_cursor("products", filters, [items[-1].rank]) if more else None
    return ProductList(range=Range.of(chosen), category=category, channel=channel, by=by,
                       items=items, has_more=more, next_cursor=next_cursor)
