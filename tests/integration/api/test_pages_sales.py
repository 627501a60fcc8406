"""Endpoints of the sales & products page: channels, filtered products, one product."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest
from fastapi.testclient import TestClient

from tests.integration.api.paging import walk
from tests.integration.api.truth import category_totals, first_and_last_day, money, range_totals
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def _get(client: TestClient, path: str, **params: object) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _whole_run(warehouse: LoadedWarehouse) -> dict[str, str]:
    first, last = first_and_last_day(warehouse.run.truth)
    return {"start": first.isoformat(), "end": last.isoformat()}


def _revenue(items: list[dict]) -> str:
    return money(sum((Decimal(i["revenue"]) for i in items), Decimal(0)))


def test_channels_add_up_to_the_truth_and_filter_sales_and_categories(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    run = _whole_run(warehouse)
    expected = range_totals(warehouse.run.truth, *first_and_last_day(warehouse.run.truth))
    channels = _get(client, "/api/v1/channels", **run)["items"]
    assert len(channels) >= 2 and _revenue(channels) == money(expected["revenue"])
    for channel in channels:
        sales = _get(client, "/api/v1/sales", channel=channel["channel"], grain="month", **run)
        assert sales["channel"] == channel["channel"]
        assert _revenue(sales["points"]) == channel["revenue"]
        assert sum(p["orders"] for p in sales["points"]) == channel["orders"]
        categories = _get(client, "/api/v1/categories", channel=channel["channel"], **run)
        assert _revenue(categories["items"]) == channel["revenue"]


def test_products_filtered_by_category_add_up_to_the_truths_category(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    run = _whole_run(warehouse)
    truth = category_totals(warehouse.run.truth, *first_and_last_day(warehouse.run.truth))
    everything = walk(client, "/api/v1/products", run, limit=17)
    assert [p["rank"] for p in everything] == list(range(1, len(everything) + 1))
    revenues = [Decimal(p["revenue"]) for p in everything]
    assert revenues == sorted(revenues, reverse=True)
    for category, figures in truth.items():
        items = walk(client, "/api/v1/products", {**run, "category": category}, limit=25)
        assert _revenue(items) == money(figures["revenue"]), category
        assert sum(p["units"] for p in items) == figures["units"]
        assert {p["category"] for p in items} == {category}


def test_products_filtered_by_category_and_channel_match_the_channel_split(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    run = _whole_run(warehouse)
    category = _get(client, "/api/v1/categories", **run)["items"][0]["category"]
    for channel in _get(client, "/api/v1/channels", category=category, **run)["items"]:
        items = walk(client, "/api/v1/products",
                     {**run, "category": category, "channel": channel["channel"]}, limit=50)
        assert _revenue(items) == channel["revenue"]


def _versions(warehouse: LoadedWarehouse) -> dict[str, int]:
    with psycopg.connect(warehouse.database.url) as conn:
        rows = conn.execute("SELECT product_id, count(*) FROM warehouse.dim_product"
                            " GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    return dict(rows)


def test_product_page_has_price_history_reviews_and_sales(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    run = _whole_run(warehouse)
    versions = _versions(warehouse)
    changed = next(product for product, count in versions.items() if count > 1)
    product = _get(client, f"/api/v1/products/{changed}")
    assert len(product["history"]) == versions[changed]
    assert [v["version_number"] for v in product["history"]] == list(
        range(1, versions[changed] + 1))
    assert sum(v["is_current"] for v in product["history"]) == 1
    with psycopg.connect(warehouse.database.url) as conn:
        reviewed, count = conn.execute(
            "SELECT product_id, count(*) FROM warehouse.fact_reviews GROUP BY 1"
            " ORDER BY 2 DESC, 1 LIMIT 1").fetchone()
    ratings = _get(client, f"/api/v1/products/{reviewed}")["ratings"]
    assert ratings["reviews"] == count == sum(ratings["by_stars"].values())
    reviews = walk(client, f"/api/v1/products/{reviewed}/reviews", {}, limit=2)
    assert len(reviews) == count == len({r["review_id"] for r in reviews})
    assert [r["review_ts"] for r in reviews] == sorted((r["review_ts"] for r in reviews),
                                                       reverse=True)
    listed = {p["product_id"]: p for p in walk(client, "/api/v1/products", run, limit=200)}
    top = next(iter(listed.values()))
    sales = _get(client, f"/api/v1/products/{top['product_id']}/sales", **run)
    assert _revenue(sales["points"]) == top["revenue"]
    assert sum(p["units"] for p in sales["points"]) == top["units"]


@pytest.mark.parametrize("path", ["/api/v1/products/P-NOPE", "/api/v1/products/P-NOPE/sales",
                                  "/api/v1/products/P-NOPE/reviews"])
def test_an_unknown_product_is_a_404_problem(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "P-NOPE" in response.json()["detail"]


def test_products_top_is_not_taken_for_a_product_id(client: TestClient) -> None:
    assert "items" in _get(client, "/api/v1/products/top")
