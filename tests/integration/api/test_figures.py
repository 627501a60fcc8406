"""Each figure the API serves equals the generator's truth for the same range."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.truth import (
    category_totals,
    daily,
    days,
    first_and_last_day,
    money,
    range_totals,
)
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def _get(client: TestClient, path: str, **params: object) -> dict:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_default_kpis_cover_the_last_30_days_and_equal_truth(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    _, last = first_and_last_day(truth)
    kpis = _get(client, "/api/v1/kpis")
    assert kpis["range"] == {"start": (last - timedelta(days=29)).isoformat(),
                             "end": last.isoformat(), "days": 30}
    expected = range_totals(truth, last - timedelta(days=29), last)
    assert kpis["revenue"] == money(expected["revenue"])
    assert (kpis["orders"], kpis["units"], kpis["new_customers"]) == (
        expected["orders"], expected["units"], expected["new_customers"])
    aov = (expected["revenue"] / expected["orders"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert kpis["aov"] == money(aov)
    assert kpis["as_of"] == last.isoformat()


def test_kpis_of_the_whole_run_count_every_customer(client: TestClient,
                                                    warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    first, last = first_and_last_day(truth)
    kpis = _get(client, "/api/v1/kpis", start=first.isoformat(), end=last.isoformat())
    totals = truth["metrics"]["totals"]
    assert (kpis["revenue"], kpis["orders"], kpis["units"]) == (
        totals["revenue"], totals["orders"], totals["units"])
    assert kpis["customers"] == kpis["new_customers"] == totals["customers"]
    assert kpis["sessions"] > 0 and 0 < kpis["conversion_rate"] <= 1


@pytest.mark.parametrize("offset,length", [(0, 1), (3, 7), (9, 1), (12, 8)])
def test_kpis_of_sub_ranges_equal_truth(client: TestClient, warehouse: LoadedWarehouse,
                                        offset: int, length: int) -> None:
    truth = warehouse.run.truth
    first, _ = first_and_last_day(truth)
    start = first + timedelta(days=offset)
    end = start + timedelta(days=length - 1)
    kpis = _get(client, "/api/v1/kpis", start=start.isoformat(), end=end.isoformat())
    expected = range_totals(truth, start, end)
    assert (kpis["revenue"], kpis["orders"], kpis["units"], kpis["new_customers"]) == (
        money(expected["revenue"]), expected["orders"], expected["units"],
        expected["new_customers"])
    if length == 1:
        assert kpis["customers"] == daily(truth, start)["customers"]


def test_daily_sales_equal_truth_day_by_day(client: TestClient,
                                            warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    first, last = first_and_last_day(truth)
    start = first - timedelta(days=2)  # days before the first sale are zero, not missing
    sales = _get(client, "/api/v1/sales", start=start.isoformat(), end=last.isoformat())
    assert [p["period"] for p in sales["points"]] == [d.isoformat() for d in days(start, last)]
    for point in sales["points"]:
        expected = daily(truth, date.fromisoformat(point["period"]))
        assert (point["revenue"], point["orders"], point["units"]) == (
            expected["revenue"], expected["orders"], expected["units"]), point["period"]


@pytest.mark.parametrize("grain", ["week", "month"])
def test_weekly_and_monthly_sales_add_up_the_days(client: TestClient,
                                                  warehouse: LoadedWarehouse,
                                                  grain: str) -> None:
    truth = warehouse.run.truth
    first, last = first_and_last_day(truth)
    sales = _get(client, "/api/v1/sales", start=first.isoformat(), end=last.isoformat(),
                 grain=grain)
    covered = []
    for point in sales["points"]:
        start, end = date.fromisoformat(point["start"]), date.fromisoformat(point["end"])
        period = date.fromisoformat(point["period"])
        assert period == (start - timedelta(days=start.weekday()) if grain == "week"
                          else start.replace(day=1))
        expected = range_totals(truth, start, end)
        assert (point["revenue"], point["orders"], point["units"]) == (
            money(expected["revenue"]), expected["orders"], expected["units"])
        covered.extend(days(start, end))
    assert covered == days(first, last)


def test_sales_of_one_category_equal_truth(client: TestClient,
                                           warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    first, last = first_and_last_day(truth)
    by_day = truth["metrics"]["daily_by_category"]
    category = sorted(truth["metrics"]["totals_by_category"])[0]
    sales = _get(client, "/api/v1/sales", start=first.isoformat(), end=last.isoformat(),
                 category=category)
    for point in sales["points"]:
        expected = by_day.get(point["period"], {}).get(
            category, {"revenue": "0.00", "orders": 0, "units": 0})
        assert (point["revenue"], point["orders"], point["units"]) == (
            expected["revenue"], expected["orders"], expected["units"])


def test_categories_equal_truth_with_margin(client: TestClient,
                                           warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    first, last = first_and_last_day(truth)
    for start, end in ((first, last), (first + timedelta(days=5), first + timedelta(days=11))):
        result = _get(client, "/api/v1/categories", start=start.isoformat(),
                      end=end.isoformat())
        expected = category_totals(truth, start, end)
        assert {c["category"] for c in result["items"]} == set(expected)
        for item in result["items"]:
            e = expected[item["category"]]
            assert (item["revenue"], item["orders"], item["units"], item["cost"],
                    item["margin"]) == (money(e["revenue"]), e["orders"], e["units"],
                                        money(e["cost"]), money(e["revenue"] - e["cost"]))
        revenues = [Decimal(item["revenue"]) for item in result["items"]]
        assert revenues == sorted(revenues, reverse=True)
        assert sum(item["revenue_share"] for item in result["items"]) == pytest.approx(1, 1e-3)
