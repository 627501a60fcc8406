"""Every list and report endpoint answers CSV (`?format=csv` or `Accept: text/csv`),
streamed, with the same filters; a paged list is exported whole."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.csv_export import wants_csv
from services.dashboard_api.csv_rows import cell
from tests.integration.api.conftest import API_KEY
from tests.integration.api.paging import walk
from tests.integration.api.truth import first_and_last_day
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration


def _csv(client: TestClient, path: str, headers: dict | None = None, **params: object
         ) -> list[dict[str, str]]:
    response = client.get(path, params=params, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.text)))


def _run(warehouse: LoadedWarehouse) -> dict[str, str]:
    first, last = first_and_last_day(warehouse.run.truth)
    return {"start": first.isoformat(), "end": last.isoformat()}


def test_a_report_is_one_row_with_dotted_columns(client: TestClient) -> None:
    kpis = client.get("/api/v1/kpis").json()
    [row] = _csv(client, "/api/v1/kpis", format="csv")
    assert row["range.start"] == kpis["range"]["start"] and row["revenue"] == kpis["revenue"]
    assert row["orders"] == str(kpis["orders"])


def test_accept_header_chooses_csv_and_format_overrides_it(client: TestClient) -> None:
    rows = _csv(client, "/api/v1/categories", headers={"Accept": "text/csv"})
    assert [r["category"] for r in rows] == [
        c["category"] for c in client.get("/api/v1/categories").json()["items"]]
    as_json = client.get("/api/v1/categories", params={"format": "json"},
                         headers={"Accept": "text/csv"})
    assert as_json.headers["content-type"] == "application/json"


def test_a_paged_list_is_exported_whole_with_its_filters(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    run = _run(warehouse)
    category = client.get("/api/v1/categories", params=run).json()["items"][0]["category"]
    params = {**run, "category": category}
    expected = walk(client, "/api/v1/products", params, limit=200)
    rows = _csv(client, "/api/v1/products", format="csv", limit=3, **params)
    assert len(expected) > 3
    assert [(r["rank"], r["product_id"], r["revenue"]) for r in rows] == [
        (str(p["rank"]), p["product_id"], p["revenue"]) for p in expected]
    assert {r["category"] for r in rows} == {category}


def test_nested_lists_become_rows_or_named_columns(client: TestClient) -> None:
    cohorts = client.get("/api/v1/cohorts").json()["cohorts"]
    rows = _csv(client, "/api/v1/cohorts", format="csv")
    assert len(rows) == sum(len(c["cells"]) for c in cohorts)
    assert {"cohort", "customers", "cells.months_since_first",
            "cells.retention_rate"} <= set(rows[0])
    batches = _csv(client, "/api/v1/batches", format="csv")
    assert len(batches) == len(walk(client, "/api/v1/batches", {}, limit=200))
    assert {"stages.ingest.status", "stages.build.status", "counts.loaded",
            "latest_build.build_id"} <= set(batches[0])


def test_several_lists_are_told_apart(client: TestClient) -> None:
    rows = _csv(client, "/api/v1/segments", format="csv")
    segments = client.get("/api/v1/segments").json()
    assert {r["list"] for r in rows} == {"by_segment", "by_rfm_segment", "by_churn_risk"}
    assert len(rows) == sum(len(segments[k]) for k in
                            ("by_segment", "by_rfm_segment", "by_churn_risk"))


def test_dead_letters_export_keeps_the_original_record_defused(client: TestClient) -> None:
    key = {"X-API-Key": API_KEY}
    batch_id = client.get("/api/v1/batches", params={"limit": 1}).json()["items"][0]["batch_id"]
    page = client.get("/api/v1/dead-letters", params={"limit": 500, "batch_id": batch_id},
                      headers=key).json()
    assert not page["has_more"]
    letters = page["items"]
    rows = _csv(client, "/api/v1/dead-letters", headers=key, format="csv", limit=7,
                batch_id=batch_id)
    assert len(rows) == len(letters) > 0
    for row, letter in zip(rows, letters, strict=True):
        assert row["payload"] == cell(letter["payload"])
        assert not row["payload"].startswith(("=", "+", "@"))


def test_errors_stay_problem_json(client: TestClient) -> None:
    bad_format = client.get("/api/v1/kpis", params={"format": "xml"})
    assert bad_format.status_code == 422
    assert bad_format.headers["content-type"] == "application/problem+json"
    reversed_range = client.get("/api/v1/sales", params={
        "format": "csv", "start": "2026-03-10", "end": "2026-03-01"})
    assert reversed_range.status_code == 400
    assert reversed_range.headers["content-type"] == "application/problem+json"
    unknown = client.get("/api/v1/products/NOPE", headers={"Accept": "text/csv"})
    assert unknown.status_code == 404


def test_every_get_route_of_the_api_documents_csv(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = [(p, item["get"]) for p, item in paths.items()
              if p.startswith("/api/v1/") and "get" in item]
    assert len(routes) >= 25
    for path, operation in routes:
        assert "text/csv" in operation["responses"]["200"]["content"], path
        assert "format" in {p["name"] for p in operation["parameters"]}, path


@pytest.mark.parametrize("accept,expected", [
    ("text/csv", True), ("application/json", False), (None, False),
    ("text/html,application/xhtml+xml,*/*;q=0.8", False),
    ("application/json;q=0.5, text/csv", True), ("text/csv;q=0.2, application/json", False),
])
def test_accept_negotiation(accept: str | None, expected: bool) -> None:
    assert wants_csv(None, accept) is expected


@pytest.mark.parametrize("value,text", [
    ("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("@SUM(A1)", "'@SUM(A1)"), ("-12.50", "-12.50"),
    ("-x", "'-x"), (None, ""), (True, "true"), ({"a": 1}, '{"a":1}'), ("plain", "plain"),
])
def test_cells_are_plain_text_never_formulas(value: object, text: str) -> None:
    assert cell(value) == text
