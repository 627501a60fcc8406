"""/health, /metrics, /docs and the page's assets, offline and through the real app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from tests.conftest import TestDatabase
from tests.integration.api.conftest import api_settings
from tests.integration.api.test_errors import assert_problem

pytestmark = pytest.mark.integration


def test_health_reports_database_and_kafka(client: TestClient) -> None:
    health = client.get("/health")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert {name: check["ok"] for name, check in health.json()["checks"].items()} == {
        "database": True, "kafka": True}


def test_health_and_requests_say_when_dependencies_are_down(database: TestDatabase) -> None:
    settings = api_settings(database, kafka_bootstrap="127.0.0.1:1").model_copy(update={
        "api_database_url": "postgresql://shopflow_api@127.0.0.1:1/nowhere"})
    with TestClient(create_app(settings)) as client:
        health = client.get("/health")
        assert health.status_code == 503
        body = health.json()
        assert body["status"] == "degraded"
        assert not body["checks"]["database"]["ok"] and not body["checks"]["kafka"]["ok"]
        assert_problem(client.get("/api/v1/kpis"), 503, "database")


def test_metrics_count_requests_by_route(client: TestClient) -> None:
    client.get("/api/v1/kpis")
    client.get("/api/v1/customers/someone-unknown")
    text = client.get("/metrics").text
    assert 'shopflow_api_requests_total{method="GET",route="/api/v1/kpis",status="200"}' in text
    assert 'route="/api/v1/customers/{customer_id}",status="404"' in text
    assert "shopflow_api_request_seconds_bucket" in text


def test_page_docs_and_vendored_libraries_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for asset in ("/static/vendor/chart.umd.min.js", "/static/app.js", "/static/style.css"):
        assert asset in page.text
        assert client.get(asset).status_code == 200, asset
    chart = client.get("/static/vendor/chart.umd.min.js")
    assert "javascript" in chart.headers["content-type"] and len(chart.content) > 100_000
    docs = client.get("/docs").text
    assert "/static/vendor/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert client.get("/static/vendor/swagger-ui-bundle.js").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "ShopFlow dashboard API"
