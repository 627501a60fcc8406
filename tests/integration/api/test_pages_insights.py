"""Endpoints of the customers, inventory and campaigns pages."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.paging import walk
from tests.integration.api.truth import first_and_last_day, money, range_totals
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def _get(client: TestClient, path: str, **params: object) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_rfm_grid_holds_every_buyer_once(client: TestClient,
                                         warehouse: LoadedWarehouse) -> None:
    totals = warehouse.run.truth["metrics"]["totals"]
    grid = _get(client, "/api/v1/rfm")
    assert grid["customers"] == totals["customers"] == sum(c["customers"] for c in grid["cells"])
    assert money(sum((Decimal(c["revenue"]) for c in grid["cells"]), Decimal(0))) == (
        totals["revenue"])
    assert len({(c["r_score"], c["f_score"]) for c in grid["cells"]}) == len(grid["cells"])
    segments = {s["name"]: s["customers"] for s in _get(client, "/api/v1/segments")[
        "by_rfm_segment"]}
    for name in {c["segment"] for c in grid["cells"]}:
        assert sum(c["customers"] for c in grid["cells"] if c["segment"] == name) == (
            segments[name])


def test_customer_list_is_ordered_by_churn_score_and_filtered(
        client: TestClient) -> None:
    segments = _get(client, "/api/v1/segments")
    everyone = walk(client, "/api/v1/customers", {}, limit=37)
    assert len(everyone) == segments["customers"] == len({c["customer_id"] for c in everyone})
    scores = [c["churn_score"] if c["churn_score"] is not None else -1 for c in everyone]
    assert all(a >= b for a, b in pairwise(scores))
    assert all("email" not in c and "first_name" not in c for c in everyone)
    for risk in segments["by_churn_risk"]:
        if risk["name"] == "no_orders":
            continue
        chosen = walk(client, "/api/v1/customers", {"churn_risk": risk["name"]}, limit=20)
        assert len(chosen) == risk["customers"]
        assert {c["churn_risk"] for c in chosen} == {risk["name"]}


def test_products_at_risk_follow_their_latest_snapshot(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    risky = walk(client, "/api/v1/inventory/at-risk", {"cover_days": 30}, limit=9)
    with psycopg.connect(warehouse.database.url) as conn:
        latest = {row[0]: row[1:] for row in conn.execute(
            "SELECT DISTINCT ON (product_id) product_id, on_hand, is_stockout,"
            " below_reorder_point FROM marts.inventory_daily"
            " ORDER BY product_id, snapshot_date DESC").fetchall()}
    assert risky, "the generated inventory has products at risk"
    for product in risky:
        on_hand, stockout, below = latest[product["product_id"]]
        assert (product["on_hand"], product["is_stockout"], product["below_reorder_point"]) == (
            on_hand, stockout, below)
        assert stockout or below or product["days_of_cover"] < 30, product
    must = {p for p, (_, stockout, below) in latest.items() if stockout or below}
    assert must <= {p["product_id"] for p in risky}
    stockouts = [p["is_stockout"] for p in risky]
    assert stockouts == sorted(stockouts, reverse=True)
    fewer = walk(client, "/api/v1/inventory/at-risk", {"cover_days": 1}, limit=50)
    assert must <= {p["product_id"] for p in fewer} <= {p["product_id"] for p in risky}


def test_campaigns_plus_direct_add_up_to_the_revenue_under_every_model(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    first, last = first_and_last_day(warehouse.run.truth)
    run = {"start": first.isoformat(), "end": last.isoformat()}
    expected = range_totals(warehouse.run.truth, first, last)["revenue"]
    campaigns = _get(client, "/api/v1/campaigns", **run)["items"]
    assert campaigns
    for model in ("first_touch", "last_touch", "linear"):
        direct = _get(client, "/api/v1/campaigns/(none)/daily", model=model, **run)
        credited = sum((Decimal(c[model]) for c in campaigns), Decimal(0))
        assert money(credited + sum((Decimal(p["revenue"]) for p in direct["points"]),
                                    Decimal(0))) == money(expected), model
    best = campaigns[0]
    series = _get(client, f"/api/v1/campaigns/{best['campaign_id']}/daily", grain="week",
                  **run)
    assert money(sum((Decimal(p["revenue"]) for p in series["points"]), Decimal(0))) == (
        best["last_touch"])


def test_an_unknown_campaign_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/campaigns/NOPE/daily")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
