"""Products, funnel, attribution and inventory: consistent with the sales truth, and
their pages walk every row exactly once."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.paging import walk
from tests.integration.api.truth import first_and_last_day, money, range_totals
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def revenue_of(items: list[dict]) -> Decimal:
    return sum((Decimal(item["revenue"]) for item in items), Decimal(0))


def _whole_run(warehouse: LoadedWarehouse) -> dict[str, str]:
    first, last = first_and_last_day(warehouse.run.truth)
    return {"start": first.isoformat(), "end": last.isoformat()}


@pytest.mark.parametrize("by", ["revenue", "units"])
def test_top_products_pages_cover_every_product_once(client: TestClient,
                                                     warehouse: LoadedWarehouse,
                                                     by: str) -> None:
    params = {**_whole_run(warehouse), "by": by}
    items = walk(client, "/api/v1/products/top", params, limit=7)
    assert [item["rank"] for item in items] == list(range(1, len(items) + 1))
    assert len({item["product_id"] for item in items}) == len(items) > 7
    ranked = [Decimal(item[by]) for item in items]
    assert ranked == sorted(ranked, reverse=True)
    totals = warehouse.run.truth["metrics"]["totals"]
    assert money(revenue_of(items)) == totals["revenue"]
    assert sum(item["units"] for item in items) == totals["units"]


def test_funnel_narrows_and_matches_the_kpis(client: TestClient,
                                            warehouse: LoadedWarehouse) -> None:
    params = _whole_run(warehouse)
    funnel = client.get("/api/v1/funnel", params=params).json()
    kpis = client.get("/api/v1/kpis", params=params).json()
    reached = [step["sessions"] for step in funnel["steps"]]
    assert [s["step"] for s in funnel["steps"]] == [
        "session", "product_view", "add_to_cart", "checkout", "purchase"]
    assert reached == sorted(reached, reverse=True) and reached[0] == kpis["sessions"] > 0
    assert funnel["conversion_rate"] == kpis["conversion_rate"] == round(
        reached[-1] / reached[0], 4)
    # A purchase session per qualifying order at most (clickstream purchases match orders).
    assert reached[-1] > 0


@pytest.mark.parametrize("model", ["first_touch", "last_touch", "linear"])
def test_attribution_credits_exactly_the_revenue(client: TestClient,
                                                 warehouse: LoadedWarehouse,
                                                 model: str) -> None:
    first, last = first_and_last_day(warehouse.run.truth)
    expected = range_totals(warehouse.run.truth, first, last)
    result = client.get("/api/v1/attribution",
                        params={**_whole_run(warehouse), "model": model}).json()
    assert result["model"] == model
    assert money(revenue_of(result["campaigns"])) == money(expected["revenue"])
    assert sum(c["orders"] for c in result["campaigns"]) == pytest.approx(
        expected["orders"], abs=0.01)
    assert money(revenue_of(result["channels"])) == money(expected["revenue"])
    assert any(c["campaign_id"] != "(none)" for c in result["campaigns"])


def test_stockout_pages_cover_every_product_once(client: TestClient,
                                                 warehouse: LoadedWarehouse) -> None:
    params = {**_whole_run(warehouse), "only_stockouts": "false"}
    items = walk(client, "/api/v1/inventory/stockouts", params, limit=50)
    ids = [item["product_id"] for item in items]
    assert len(ids) == len(set(ids)) > 100
    days = [item["stockout_days"] for item in items]
    assert days == sorted(days, reverse=True) and days[0] > 0
    only = walk(client, "/api/v1/inventory/stockouts", _whole_run(warehouse), limit=50)
    assert [i["product_id"] for i in only] == [i["product_id"] for i in items
                                               if i["stockout_days"] > 0]
    for item in items:
        assert item["stockout_days"] <= item["days_observed"]
