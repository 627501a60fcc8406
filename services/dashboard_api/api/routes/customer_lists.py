"""GET /api/v1/rfm and /api/v1/customers: the RFM grid and customers by churn risk."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import Query

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, LastDateDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.problems import bad_request
from services.dashboard_api.schemas.common import money
from services.dashboard_api.schemas.insights import (
    ChurnRisk,
    CustomerList,
    CustomerRow,
    RfmCell,
    RfmGrid,
)

router = figures_router("customers")

_GRID = """
SELECT r_score, f_score, count(*) AS customers, sum(total_revenue) AS revenue,
       min(rfm_segment) AS segment
FROM marts.customer_ltv WHERE orders > 0
GROUP BY r_score, f_score ORDER BY r_score DESC, f_score DESC
"""
# Highest churn score first (customers without orders last); the paging key is
# (score, customer_id), both descending.
_CUSTOMERS = """
SELECT customer_id, segment, country, rfm_segment, churn_risk, churn_score, orders,
       total_revenue, last_order_date, days_since_last_order,
       coalesce(churn_score, -1) AS sort_score
FROM marts.customer_ltv
WHERE (%(risk)s::text IS NULL OR churn_risk = %(risk)s)
  AND (%(rfm)s::text IS NULL OR rfm_segment = %(rfm)s)
  AND (%(score)s::numeric IS NULL
       OR (coalesce(churn_score, -1), customer_id) < (%(score)s::numeric, %(id)s))
ORDER BY coalesce(churn_score, -1) DESC, customer_id DESC
LIMIT %(limit)s
"""


@router.get("/rfm", response_model=RfmGrid, summary="RFM grid")
def get_rfm_grid(conn: ConnDep, last_date: LastDateDep) -> RfmGrid:
    """Customers with orders per recency score x frequency score (1-5 each), with
    their lifetime revenue and the RFM segment of the cell."""
    cells = [RfmCell(r_score=r["r_score"], f_score=r["f_score"], customers=r["customers"],
                     revenue=money(r["revenue"]), segment=r["segment"])
             for r in fetch_all(conn, _GRID)]
    return RfmGrid(as_of=last_date, customers=sum(c.customers for c in cells), cells=cells)


def _score(text: str) -> Decimal:
    try:
        score = Decimal(text)
    except InvalidOperation:
        raise bad_request("the cursor is not valid for this list", "invalid-cursor") from None
    if not score.is_finite():
        raise bad_request("the cursor is not valid for this list", "invalid-cursor")
    return score


@router.get("/customers", response_model=CustomerList, summary="Customers by churn risk")
def list_customers(
    conn: ConnDep, last_date: LastDateDep,
    churn_risk: Annotated[ChurnRisk | None, Query(description="Only this churn risk")] = None,
    rfm_segment: Annotated[str | None, Query(
        min_length=1, max_length=100, description="Only this RFM segment")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Customers per page")] = 50,
    cursor: CursorQuery = None,
) -> CustomerList:
    """Customers, highest churn score first (customers without orders last), with
    their RFM segment and lifetime figures; no personal fields."""
    filters = {"risk": churn_risk, "rfm": rfm_segment}
    after = decode_cursor(cursor, "customers", filters, (str, str))
    rows = fetch_all(conn, _CUSTOMERS, {
        **filters, "score": _score(after[0]) if after else None,
        "id": after[1] if after else None, "limit": limit + 1})
    page, more = split_page(rows, limit)
    items = [CustomerRow(
        customer_id=r["customer_id"], segment=r["segment"], country=r["country"],
        rfm_segment=r["rfm_segment"], churn_risk=r["churn_risk"],
        churn_score=float(r["churn_score"]) if r["churn_score"] is not None else None,
        orders=r["orders"], total_revenue=money(r["total_revenue"]),
        last_order_date=r["last_order_date"],
        days_since_last_order=r["days_since_last_order"]) for r in page]
    next_cursor = (encode_cursor("customers", filters, [str(page[-1]["sort_score"]),
                                                        page[-1]["customer_id"]])
                   if more else None)
    return CustomerList(as_of=last_date, churn_risk=churn_risk, rfm_segment=rfm_segment,
                        items=items, has_more=more, next_cursor=next_cursor)
