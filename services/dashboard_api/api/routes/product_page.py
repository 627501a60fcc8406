"""GET /api/v1/products/{product_id}[/sales|/reviews]: one product's page.

Registered after /products/top, so 'top' never reads as a product id.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Path, Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all, fetch_one
from services.dashboard_api.deps import ConnDep, RangeDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.problems import bad_request, not_found, problem_responses
from services.dashboard_api.schemas.catalog import (
    ProductDetail,
    ProductSales,
    ProductVersion,
    RatingSummary,
    Review,
    ReviewList,
)
from services.dashboard_api.schemas.common import Range, money
from services.dashboard_api.schemas.sales import Grain, SalesPoint

router = figures_router("products")

ProductId = Annotated[str, Path(min_length=1, max_length=200)]

_HISTORY = """
SELECT version_number, sku, name, category, subcategory, brand, list_price, unit_cost,
       valid_from, valid_to, is_current, is_inferred
FROM marts.product_history WHERE product_id = %s ORDER BY version_number
"""
_RATINGS = """
SELECT rating, count(*) AS reviews FROM marts.product_reviews
WHERE product_id = %s GROUP BY rating
"""
_SALES = """
WITH days AS (
  SELECT d::date AS day
  FROM generate_series(%(start)s::date, %(end)s::date, interval '1 day') AS d
)
SELECT date_trunc(%(grain)s, days.day)::date AS period, min(days.day) AS first_day,
       max(days.day) AS last_day, coalesce(sum(s.revenue), 0) AS revenue,
       coalesce(sum(s.orders), 0) AS orders, coalesce(sum(s.units), 0) AS units
FROM days LEFT JOIN marts.daily_product_sales s
  ON s.sales_date = days.day AND s.product_id = %(product_id)s
GROUP BY 1 ORDER BY 1
"""
# Newest first; (review_ts, review_id) is the paging key.
_REVIEWS = """
SELECT review_id, order_id, customer_id, rating, review_ts, title, body
FROM marts.product_reviews
WHERE product_id = %(product_id)s
  AND (%(ts)s::timestamptz IS NULL OR (review_ts, review_id) < (%(ts)s, %(id)s))
ORDER BY review_ts DESC, review_id DESC
LIMIT %(limit)s
"""


def _money_or_none(value: Any) -> str | None:
    return money(value) if value is not None else None


def _version(row: dict[str, Any]) -> ProductVersion:
    return ProductVersion(**{**row, "list_price": _money_or_none(row["list_price"]),
                             "unit_cost": _money_or_none(row["unit_cost"])})


def _ratings(rows: list[dict[str, Any]]) -> RatingSummary:
    count = sum(r["reviews"] for r in rows)
    stars = sum(r["rating"] * r["reviews"] for r in rows)
    return RatingSummary(reviews=count, average=round(stars / count, 2) if count else None,
                         by_stars={str(n): next((r["reviews"] for r in rows
                                                 if r["rating"] == n), 0) for n in range(1, 6)})


def _instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise bad_request("the cursor is not valid for this list", "invalid-cursor") from None


def _require_product(conn: ConnDep, product_id: str) -> None:
    if fetch_one(conn, "SELECT 1 FROM marts.product_history WHERE product_id = %s",
                 (product_id,)) is None:
        raise not_found(f"no product {product_id!r} in the warehouse")


@router.get("/products/{product_id}", response_model=ProductDetail, summary="One product",
            responses=problem_responses(404))
def get_product(conn: ConnDep, product_id: ProductId) -> ProductDetail:
    """The product's current attributes, its price and category history (every SCD2
    version) and its review ratings."""
    history = fetch_all(conn, _HISTORY, (product_id,))
    if not history:
        raise not_found(f"no product {product_id!r} in the warehouse")
    current = next((v for v in history if v["is_current"]), history[-1])
    return ProductDetail(
        product_id=product_id, sku=current["sku"], name=current["name"],
        category=current["category"], subcategory=current["subcategory"],
        brand=current["brand"], list_price=_money_or_none(current["list_price"]),
        unit_cost=_money_or_none(current["unit_cost"]), is_inferred=current["is_inferred"],
        ratings=_ratings(fetch_all(conn, _RATINGS, (product_id,))),
        history=[_version(v) for v in history])


@router.get("/products/{product_id}/sales", response_model=ProductSales,
            summary="One product's sales over time", responses=problem_responses(404))
def get_product_sales(
    conn: ConnDep, chosen: RangeDep, product_id: ProductId,
    grain: Annotated[Grain, Query(description="Period length; weeks are ISO weeks")] = "day",
) -> ProductSales:
    """Revenue, orders and units of the product per period, every period present."""
    _require_product(conn, product_id)
    rows = fetch_all(conn, _SALES, {"start": chosen.start, "end": chosen.end, "grain": grain,
                                    "product_id": product_id})
    points = [SalesPoint(period=r["period"], start=r["first_day"], end=r["last_day"],
                         revenue=money(r["revenue"]), orders=r["orders"], units=r["units"])
              for r in rows]
    return ProductSales(product_id=product_id, range=Range.of(chosen), grain=grain,
                        points=points)


@router.get("/products/{product_id}/reviews", response_model=ReviewList,
            summary="One product's reviews", responses=problem_responses(404))
def get_product_reviews(
    conn: ConnDep, product_id: ProductId,
    limit: Annotated[int, Query(ge=1, le=200, description="Reviews per page")] = 20,
    cursor: CursorQuery = None,
) -> ReviewList:
    """The product's reviews, newest first."""
    _require_product(conn, product_id)
    filters = {"product_id": product_id}
    after = decode_cursor(cursor, "reviews", filters, (str, str))
    ts = _instant(after[0]) if after else None
    rows = fetch_all(conn, _REVIEWS, {**filters, "ts": ts, "id": after[1] if after else None,
                                      "limit": limit + 1})
    page, more = split_page(rows, limit)
    next_cursor = (encode_cursor("reviews", filters, [page[-1]["review_ts"].isoformat(),
                                                      page[-1]["review_id"]])
                   if more else None)
    return ReviewList(product_id=product_id, items=[Review(**r) for r in page],
                      has_more=more, next_cursor=next_cursor)
