"""Run history (GET /api/v1/builds), quality history per check, freshness and the ledger
metrics on /metrics, over real builds in a real database."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.warehouse import BuildRequest, run_build
from tests.conftest import TestDatabase
from tests.integration.api.conftest import API_KEY, api_settings
from tests.integration.api.paging import walk

pytestmark = pytest.mark.integration


@pytest.fixture
def copy_client(warehouse_copy: TestDatabase) -> Iterator[TestClient]:
    with TestClient(create_app(api_settings(warehouse_copy)),
                    raise_server_exceptions=False) as test_client:
        yield test_client


def _builds_in_db(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT build_id, status, trigger FROM ops.builds"
                            " ORDER BY build_id DESC").fetchall()


def test_builds_newest_first_with_scope_duration_and_quality(
        copy_client: TestClient, warehouse_copy: TestDatabase) -> None:
    run_build(warehouse_copy.url_as("shopflow_transformer"),
              BuildRequest(full_refresh=True, trigger="test"))
    expected = _builds_in_db(warehouse_copy.url)
    assert len(expected) == 3
    items = walk(copy_client, "/api/v1/builds", {}, limit=2)
    assert [(b["build_id"], b["status"], b["trigger"]) for b in items] == expected
    newest, incremental, first = items
    assert newest["scope"]["dates"] > first["scope"]["dates"] > incremental["scope"]["dates"]
    assert newest["scope"]["rows"]["orders"] > incremental["scope"]["rows"]["orders"] > 0
    assert newest["duration_seconds"] is not None and newest["duration_seconds"] >= 0
    assert newest["scope"]["first_date"] <= newest["scope"]["last_date"]
    quality = newest["quality"]
    assert sum(quality["counts"].values()) >= 6  # every build check ran
    assert quality["failed"] == [] and newest["error"] is None


def test_failed_build_shows_its_error_and_filters_by_status(
        copy_client: TestClient, warehouse_copy: TestDatabase) -> None:
    def explode(model: str, conn: psycopg.Connection) -> None:
        if model == "fact_orders":
            raise RuntimeError("disk on fire")

    with pytest.raises(Exception, match="disk on fire"):
        run_build(warehouse_copy.url_as("shopflow_transformer"),
                  BuildRequest(full_refresh=True, trigger="test"), after_model=explode)
    page = copy_client.get("/api/v1/builds", params={"status": "failed"}).json()
    assert [b["status"] for b in page["items"]] == ["failed"]
    assert "disk on fire" in page["items"][0]["error"]
    assert copy_client.get("/api/v1/builds", params={"status": "exploded"}).status_code in (
        400, 422)
    cursor = copy_client.get("/api/v1/builds", params={"limit": 1}).json()["next_cursor"]
    other = copy_client.get("/api/v1/builds", params={"status": "succeeded", "cursor": cursor})
    assert other.status_code == 400
    assert other.headers["content-type"].startswith("application/problem+json")


def test_quality_history_lists_one_check_across_builds(client: TestClient) -> None:
    items = walk(client, "/api/v1/quality/history", {"check": "negative_amounts"}, limit=1)
    assert len(items) == 2  # the session warehouse was built twice
    assert [i["run_id"] for i in items] == sorted((i["run_id"] for i in items), reverse=True)
    assert {i["source"] for i in items} == {"build"}
    assert {i["check_name"] for i in items} == {"negative_amounts"}
    missing = client.get("/api/v1/quality/history", params={"check": "no_such_check"})
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    bad = client.get("/api/v1/quality/history",
                     params={"check": "freshness", "cursor": "not-a-cursor"})
    assert bad.status_code == 400


def test_freshness_goes_stale_on_the_clock(copy_client: TestClient,
                                           warehouse_copy: TestDatabase) -> None:
    report = copy_client.get("/api/v1/freshness").json()
    assert report["status"] == "fresh"
    assert {e["entity"] for e in report["entities"] if e["latest_business_date"]} >= {
        "orders", "customers", "clickstream"}
    with psycopg.connect(warehouse_copy.url) as conn:  # nothing new for three days
        conn.execute("UPDATE ops.batches SET opened_at = now() - interval '3 days'")
    report = copy_client.get("/api/v1/freshness").json()
    stale = {e["entity"] for e in report["entities"] if e["stale"]}
    assert report["status"] == "stale"
    assert {"orders", "order_items", "clickstream"} <= stale
    assert "campaigns" not in stale  # expected every 8 days
    metrics = copy_client.get("/metrics").text
    assert 'shopflow_entity_stale{entity="orders"} 1.0' in metrics
    assert 'shopflow_entity_stale{entity="campaigns"} 0.0' in metrics


def test_metrics_expose_the_ledger(copy_client: TestClient,
                                   warehouse_copy: TestDatabase) -> None:
    text = copy_client.get("/metrics").text
    assert "shopflow_ops_up 1.0" in text
    assert 'shopflow_builds_total{status="succeeded"} 2.0' in text
    assert "shopflow_build_latest_failed 0.0" in text
    assert 'shopflow_quality_check_status{check="negative_amounts",source="build"} 0.0' in text
    with psycopg.connect(warehouse_copy.url) as conn:
        letters = conn.execute("SELECT count(*) FROM ops.dead_letters WHERE entity = 'orders'"
                               ).fetchone()[0]
        conn.execute("UPDATE ops.quality_checks SET status = 'fail'"
                     " WHERE check_name = 'negative_amounts'"
                     " AND build_id = (SELECT max(build_id) FROM ops.builds)")
    text = copy_client.get("/metrics").text
    assert f'shopflow_dead_letters_total{{entity="orders"}} {float(letters)}' in text
    assert 'shopflow_quality_check_status{check="negative_amounts",source="build"} 2.0' in text


def test_run_history_needs_metrics_read_beyond_localhost(warehouse_copy: TestDatabase) -> None:
    app = create_app(api_settings(warehouse_copy, api_host="0.0.0.0"))  # noqa: S104
    with TestClient(app, raise_server_exceptions=False) as api:
        for path in ("/api/v1/builds", "/api/v1/freshness", "/api/v1/monitor",
                     "/api/v1/quality/history?check=freshness"):
            assert api.get(path).status_code == 401, path
            assert api.get(path, headers={"X-API-Key": API_KEY}).status_code == 200, path
        assert api.get("/metrics").status_code == 200  # Prometheus scrapes without a key


def test_monitor_is_empty_before_any_run(client: TestClient) -> None:
    assert client.get("/api/v1/monitor").json() == {
        "run_id": None, "checked_at": None, "status": "none", "checks": []}
