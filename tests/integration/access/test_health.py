"""/health names the dependency that is down and never shows why (no hosts, roles, server
messages): the API's and the workers' (shopflow.runtime) against real and dead servers."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.runtime.metrics import start_http_server
from shopflow.runtime.probes import KafkaProbe, database_reachable
from shopflow.runtime.settings import Settings
from tests.conftest import TestDatabase

pytestmark = pytest.mark.integration
SECRET_BITS = ("nowhere-db", "sekrit", "127.0.0.1", "Error", "refused", "password")


def test_api_health_names_the_dead_dependency_without_its_error(
        database: TestDatabase) -> None:
    settings = Settings(
        database_url=database.url, kafka_bootstrap="127.0.0.1:1",
        api_database_url="postgresql://shopflow_api:sekrit@127.0.0.1:1/nowhere-db")
    with TestClient(create_app(settings)) as client:
        response = client.get("/health")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks == {"database": {"ok": False, "detail": "unreachable"},
                      "kafka": {"ok": False, "detail": "unreachable"}}
    assert not any(bit in response.text for bit in SECRET_BITS), response.text


def test_api_health_with_the_database_up_and_kafka_down(database: TestDatabase) -> None:
    settings = Settings(database_url=database.url, kafka_bootstrap="127.0.0.1:1",
                        api_database_url=database.url_as("shopflow_api"))
    with TestClient(create_app(settings)) as client:
        checks = client.get("/health").json()["checks"]
    assert checks["database"]["ok"] is True
    assert checks["kafka"] == {"ok": False, "detail": "unreachable"}


def _health(checks: dict) -> tuple[int, dict]:
    server = start_http_server("probe", "127.0.0.1", 0, lambda: checks)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/health"
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
    finally:
        server.shutdown()


def test_worker_health_says_which_dependency_is_down(database: TestDatabase,
                                                     kafka_bootstrap: str) -> None:
    up = KafkaProbe(Settings(kafka_bootstrap=kafka_bootstrap))
    down = KafkaProbe(Settings(kafka_bootstrap="127.0.0.1:1"))
    dead_db = "postgresql://shopflow_loader:sekrit@127.0.0.1:1/nowhere-db"
    assert _health({"kafka": up.reachable(), "database": database_reachable(database.url)}
                   ) == (200, {"service": "probe", "ok": True,
                               "checks": {"kafka": True, "database": True}})
    status, body = _health({"kafka": down.reachable(), "database": database_reachable(dead_db)})
    assert (status, body["checks"]) == (503, {"kafka": False, "database": False})
    assert not any(bit in json.dumps(body) for bit in SECRET_BITS)
