"""Customer endpoints: lifetime value per customer, segments, cohorts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def _customer_ids(warehouse: LoadedWarehouse) -> list[str]:
    with psycopg.connect(warehouse.database.url) as conn:
        rows = conn.execute("SELECT customer_id FROM staging.customers UNION"
                            " SELECT customer_id FROM staging.orders ORDER BY 1").fetchall()
    return [customer_id for (customer_id,) in rows]


def test_every_customer_adds_up_to_the_truth_totals(client: TestClient,
                                                    warehouse: LoadedWarehouse) -> None:
    totals = warehouse.run.truth["metrics"]["totals"]
    revenue, orders, buyers = Decimal(0), 0, 0
    for customer_id in _customer_ids(warehouse):
        response = client.get(f"/api/v1/customers/{customer_id}")
        assert response.status_code == 200, response.text
        customer = response.json()
        revenue += Decimal(customer["total_revenue"])
        orders += customer["orders"]
        buyers += customer["orders"] > 0
        _check_lifetime_rules(customer)
    assert (f"{revenue:.2f}", orders, buyers) == (
        totals["revenue"], totals["orders"], totals["customers"])


def _check_lifetime_rules(customer: dict) -> None:
    history = customer["history"]
    assert history and sum(v["is_current"] for v in history) == 1
    if customer["orders"] == 0:
        assert customer["rfm_segment"] == "no_orders" and customer["churn_risk"] is None
        return
    first = date.fromisoformat(customer["first_order_date"])
    last = date.fromisoformat(customer["last_order_date"])
    as_of = date.fromisoformat(customer["as_of"])
    assert customer["recency"] == (last - first).days
    assert customer["T"] == (as_of - first).days
    assert 0 <= customer["frequency"] <= min(customer["orders"] - 1, customer["recency"])
    assert customer["churn_risk"] in ("low", "medium", "high")


def test_scd2_history_has_ordered_half_open_versions(client: TestClient,
                                                     warehouse: LoadedWarehouse) -> None:
    with psycopg.connect(warehouse.database.url) as conn:
        changed = conn.execute(
            "SELECT customer_id FROM staging.customers GROUP BY customer_id"
            " HAVING count(DISTINCT segment) > 1 ORDER BY 1 LIMIT 5").fetchall()
    assert changed, "the generated data should contain segment upgrades"
    for (customer_id,) in changed:
        history = client.get(f"/api/v1/customers/{customer_id}").json()["history"]
        assert len({v["segment"] for v in history}) > 1
        for older, newer in pairwise(history):
            assert older["valid_to"] == newer["valid_from"]
            assert datetime.fromisoformat(older["valid_from"]) < datetime.fromisoformat(
                newer["valid_from"])
        assert history[-1]["is_current"] and history[-1]["valid_to"] is None


def test_unknown_customer_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/customers/no-such-customer")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "no-such-customer" in response.json()["detail"]


def test_segments_partition_the_customers_and_their_revenue(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    totals = warehouse.run.truth["metrics"]["totals"]
    segments = client.get("/api/v1/segments").json()
    for grouping in ("by_segment", "by_rfm_segment", "by_churn_risk"):
        groups = segments[grouping]
        assert sum(g["customers"] for g in groups) == segments["customers"]
        assert sum(g["buyers"] for g in groups) == totals["customers"]
        assert f"{sum(Decimal(g['revenue']) for g in groups):.2f}" == totals["revenue"]
    assert {g["name"] for g in segments["by_segment"]} <= {
        "bronze", "silver", "gold", "platinum", "(unknown)"}


def test_cohorts_start_at_full_retention_and_count_every_buyer(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    totals = warehouse.run.truth["metrics"]["totals"]
    cohorts = client.get("/api/v1/cohorts", params={"grain": "month"}).json()["cohorts"]
    assert sum(c["customers"] for c in cohorts) == totals["customers"]
    revenue = Decimal(0)
    for cohort in cohorts:
        first = cohort["cells"][0]
        assert (first["months_since_first"], first["retention_rate"]) == (0, 1.0)
        assert first["customers"] == cohort["customers"]
        assert all(0 <= cell["retention_rate"] <= 1 for cell in cohort["cells"])
        revenue += sum(Decimal(cell["revenue"]) for cell in cohort["cells"])
    assert f"{revenue:.2f}" == totals["revenue"]
