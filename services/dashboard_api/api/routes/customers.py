"""GET /api/v1/customers/{customer_id}: lifetime value, RFM, churn risk and history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from services.dashboard_api.api.routes.common import figures_router
from services.dashboard_api.db import fetch_all, fetch_one
from services.dashboard_api.deps import CallerDep, ConnDep
from services.dashboard_api.problems import not_found, problem_responses
from services.dashboard_api.schemas.common import money, money_ratio
from services.dashboard_api.schemas.customers import Customer, CustomerVersion
from shopflow.access import Scope

router = figures_router("customers")

_LTV = """
SELECT customer_id, segment, country, total_revenue, orders, units, first_order_date,
       last_order_date, frequency, recency, t, days_since_last_order, as_of_date,
       r_score, f_score, m_score, rfm_segment, churn_score, churn_risk
FROM marts.customer_ltv WHERE customer_id = %s
"""
_HISTORY = """
SELECT version_number, {personal}, country, region, segment,
       signup_date, valid_from, valid_to, is_current, is_inferred
FROM marts.customer_history WHERE customer_id = %s ORDER BY version_number
"""
# Personal fields leave the database only for a key with customers:read.
_PERSONAL = ("email", "first_name", "last_name", "city")
_WITH_PERSONAL = _HISTORY.format(personal=", ".join(_PERSONAL))
_WITHOUT_PERSONAL = _HISTORY.format(
    personal=", ".join(f"NULL::text AS {name}" for name in _PERSONAL))


def _customer(row: dict[str, Any], history: list[dict[str, Any]], personal: bool
              ) -> Customer:
    churn = row["churn_score"]
    return Customer(
        customer_id=row["customer_id"], segment=row["segment"], country=row["country"],
        total_revenue=money(row["total_revenue"]), orders=row["orders"], units=row["units"],
        aov=money_ratio(row["total_revenue"], row["orders"]),
        first_order_date=row["first_order_date"], last_order_date=row["last_order_date"],
        frequency=row["frequency"], recency=row["recency"], T=row["t"],
        days_since_last_order=row["days_since_last_order"], as_of=row["as_of_date"],
        r_score=row["r_score"], f_score=row["f_score"], m_score=row["m_score"],
        rfm_segment=row["rfm_segment"], churn_score=float(churn) if churn is not None else None,
        churn_risk=row["churn_risk"],
        personal_data=personal, history=[CustomerVersion(**version) for version in history])


@router.get("/customers/{customer_id}", response_model=Customer, summary="One customer",
            responses=problem_responses(404))
def get_customer(
    conn: ConnDep, caller: CallerDep,
    customer_id: Annotated[str, Path(min_length=1, max_length=200)],
) -> Customer:
    """Lifetime figures (SPEC 3: revenue, orders, first/last order, BG/NBD frequency,
    recency and T), RFM scores and segment, churn risk and every SCD2 version. E-mail,
    names and city are filled only for a key with the scope `customers:read`."""
    row = fetch_one(conn, _LTV, (customer_id,))
    if row is None:
        raise not_found(f"no customer {customer_id!r} in the warehouse")
    personal = caller.allows(Scope.CUSTOMERS_READ)
    history = fetch_all(conn, _WITH_PERSONAL if personal else _WITHOUT_PERSONAL,
                        (customer_id,))
    return _customer(row, history, personal)
