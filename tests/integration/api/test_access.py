"""API keys with scopes on the real app and database: personal fields and payloads
need their scope, a revoked key stops at once, refusals are counted and logged."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from services.dashboard_api.app import create_app
from shopflow.access import Scope, create_key, revoke_key
from shopflow.topics import create_topics, raw_topic
from tests.conftest import TestDatabase
from tests.integration.api.conftest import api_settings
from tests.integration.api.test_errors import assert_problem
from tests.integration.api.test_replay import LETTER, PAYLOAD
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration
PERSONAL = ("email", "first_name", "last_name", "city")


def _key(database: TestDatabase, *scopes: Scope) -> tuple[str, str]:
    with psycopg.connect(database.url, autocommit=True) as conn:
        issued = create_key(conn, "test", scopes)
    return issued.key_id, issued.key


def _known_customer(warehouse: LoadedWarehouse) -> str:
    with psycopg.connect(warehouse.database.url) as conn:
        row = conn.execute("SELECT customer_id FROM marts.customer_history"
                           " WHERE email IS NOT NULL AND first_name IS NOT NULL"
                           " AND customer_id IN (SELECT customer_id FROM marts.customer_ltv)"
                           " ORDER BY 1 LIMIT 1").fetchone()
    assert row is not None
    return str(row[0])


def _failures(reason: str) -> float:
    value = REGISTRY.get_sample_value("shopflow_api_auth_failures_total", {"reason": reason})
    return value or 0.0


def test_personal_fields_need_customers_read(client: TestClient,
                                             warehouse: LoadedWarehouse) -> None:
    customer = _known_customer(warehouse)
    _, metrics_key = _key(warehouse.database, Scope.METRICS_READ)
    _, customers_key = _key(warehouse.database, Scope.CUSTOMERS_READ)
    for headers in ({}, {"X-API-Key": metrics_key}):
        body = client.get(f"/api/v1/customers/{customer}", headers=headers).json()
        assert body["personal_data"] is False and body["history"]
        assert all(v[f] is None for v in body["history"] for f in PERSONAL), body
        assert body["history"][0]["country"] is not None  # the rest of the version is there
    body = client.get(f"/api/v1/customers/{customer}",
                      headers={"X-API-Key": customers_key}).json()
    assert body["personal_data"] is True
    assert any(v["email"] and v["first_name"] for v in body["history"]), body


def test_dead_letter_payloads_need_deadletters_read(client: TestClient,
                                                    warehouse: LoadedWarehouse) -> None:
    _, metrics_key = _key(warehouse.database, Scope.METRICS_READ, Scope.CUSTOMERS_READ)
    _, reader_key = _key(warehouse.database, Scope.DEADLETTERS_READ)
    assert_problem(client.get("/api/v1/dead-letters"), 401, "deadletters:read")
    assert_problem(client.get("/api/v1/dead-letters", headers={"X-API-Key": metrics_key}),
                   403, "deadletters:read")
    response = client.get("/api/v1/dead-letters", headers={"X-API-Key": reader_key})
    assert response.status_code == 200, response.text
    assert any(item["payload"] for item in response.json()["items"])
    # Counts per error code are aggregates: no payload, no scope needed on localhost.
    assert client.get("/api/v1/dead-letters/summary").status_code == 200


@pytest.fixture
def letter(database: TestDatabase) -> dict:
    with psycopg.connect(database.url) as conn:
        conn.execute(
            "INSERT INTO ops.dead_letters (batch_id, source_file, line_number, entity, codes,"
            " errors, dlq_topic, dlq_partition, dlq_offset, first_failed_at, last_failed_at,"
            " payload) VALUES (%s, %s, %s, 'orders', ARRAY['invalid_format'], '[]', 'x', 0,"
            " 0, now(), now(), %s)", (*LETTER.values(), json.dumps(PAYLOAD).encode()))
    return LETTER


def test_replay_needs_deadletters_replay(fresh_client: TestClient, letter: dict,
                                         database: TestDatabase) -> None:
    settings = fresh_client.app.state.settings  # type: ignore[attr-defined]
    create_topics(settings, [raw_topic(settings, "orders")])
    _, reader_key = _key(database, Scope.DEADLETTERS_READ, Scope.METRICS_READ)
    key_id, replay_key = _key(database, Scope.DEADLETTERS_REPLAY)
    body = {"letters": [letter]}
    response = fresh_client.post("/api/v1/dead-letters/replay", json=body,
                                 headers={"X-API-Key": reader_key})
    assert_problem(response, 403, "deadletters:replay")
    response = fresh_client.post("/api/v1/dead-letters/replay", json=body,
                                 headers={"X-API-Key": replay_key})
    assert response.status_code == 200, response.text
    with psycopg.connect(database.url) as conn:
        row = conn.execute("SELECT requested_by FROM ops.dlq_replays").fetchone()
    assert row is not None and row[0].endswith(f":key:{key_id}")


def test_a_revoked_key_stops_working_at_once(client: TestClient,
                                             warehouse: LoadedWarehouse) -> None:
    key_id, key = _key(warehouse.database, Scope.DEADLETTERS_READ)
    headers = {"X-API-Key": key}
    assert client.get("/api/v1/dead-letters?limit=1", headers=headers).status_code == 200
    with psycopg.connect(warehouse.database.url, autocommit=True) as conn:
        assert revoke_key(conn, key_id)
    before = _failures("unknown_or_revoked")
    assert_problem(client.get("/api/v1/dead-letters?limit=1", headers=headers), 401,
                   "X-API-Key")
    assert _failures("unknown_or_revoked") == before + 1


def test_a_wrong_secret_is_refused_counted_and_logged_without_the_key(
        client: TestClient, warehouse: LoadedWarehouse,
        caplog: pytest.LogCaptureFixture) -> None:
    key_id, key = _key(warehouse.database, Scope.DEADLETTERS_READ)
    forged = key[:-4] + ("AAAA" if not key.endswith("AAAA") else "BBBB")
    before = _failures("unknown_or_revoked")
    with caplog.at_level(logging.WARNING, logger="services.dashboard_api.auth"):
        response = client.get("/api/v1/dead-letters", headers={"X-API-Key": forged})
    assert_problem(response, 401, "X-API-Key")
    assert _failures("unknown_or_revoked") == before + 1
    refusals = [r for r in caplog.records if r.getMessage() == "API key refused"]
    assert [getattr(r, "key_id", None) for r in refusals] == [key_id]
    secret = forged.rsplit("_", 1)[1]
    assert all(secret not in str(r.__dict__) for r in caplog.records)


@pytest.fixture
def public_client(warehouse: LoadedWarehouse, kafka_bootstrap: str) -> Iterator[TestClient]:
    """The app as if it listened on every interface (api_host 0.0.0.0)."""
    app = create_app(api_settings(warehouse.database, kafka_bootstrap=kafka_bootstrap,
                                  api_host="0.0.0.0"))  # noqa: S104 - never bound here
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_aggregates_need_metrics_read_beyond_localhost(public_client: TestClient,
                                                       warehouse: LoadedWarehouse) -> None:
    _, metrics_key = _key(warehouse.database, Scope.METRICS_READ)
    _, other_key = _key(warehouse.database, Scope.CUSTOMERS_READ)
    for path in ("/api/v1/kpis", "/api/v1/batches", "/api/v1/dead-letters/summary"):
        assert_problem(public_client.get(path), 401, "metrics:read")
        assert_problem(public_client.get(path, headers={"X-API-Key": other_key}), 403,
                       "metrics:read")
        response = public_client.get(path, headers={"X-API-Key": metrics_key})
        assert response.status_code == 200, (path, response.text)
    assert public_client.get("/health").status_code in (200, 503)  # never behind a key


def test_the_setting_decides_over_the_listening_address(warehouse: LoadedWarehouse,
                                                        kafka_bootstrap: str) -> None:
    settings = api_settings(warehouse.database, kafka_bootstrap=kafka_bootstrap,
                            api_metrics_require_key=True)
    with TestClient(create_app(settings), raise_server_exceptions=False) as local:
        assert_problem(local.get("/api/v1/kpis"), 401, "metrics:read")
    settings = api_settings(warehouse.database, kafka_bootstrap=kafka_bootstrap,
                            api_host="0.0.0.0", api_metrics_require_key=False)  # noqa: S104
    with TestClient(create_app(settings), raise_server_exceptions=False) as open_api:
        assert open_api.get("/api/v1/kpis").status_code == 200


@pytest.mark.parametrize("key", ["Xy-CHANGEME-zw-0123", ""])
def test_the_api_process_refuses_to_start_with_a_placeholder_key(key: str) -> None:
    env = {**os.environ, "SHOPFLOW_API_KEY": key, "SHOPFLOW_API_PORT": "1"}
    done = subprocess.run([sys.executable, "-m", "services.dashboard_api"], env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2, done.stderr
    assert "refusing to start" in done.stderr and "SHOPFLOW_API_KEY" in done.stderr
    assert not key or key not in done.stderr  # the log never repeats a key


def test_openapi_says_where_the_key_is_required(client: TestClient,
                                                public_client: TestClient) -> None:
    def security(app_client: TestClient, method: str, path: str) -> list:
        return app_client.get("/openapi.json").json()["paths"][path][method]["security"]

    key, optional = [{"APIKeyHeader": []}], [{"APIKeyHeader": []}, {}]
    assert security(client, "get", "/api/v1/kpis") == optional
    assert security(public_client, "get", "/api/v1/kpis") == key
    for app_client in (client, public_client):
        assert security(app_client, "get", "/api/v1/dead-letters") == key
        assert security(app_client, "post", "/api/v1/dead-letters/replay") == key


SENSITIVE = {"email", "first_name", "last_name", "payload", "payload_json"}
REDACTED_WITHOUT_SCOPE = {"/api/v1/customers/{customer_id}"}  # tested above


def _properties(schema: dict, components: dict, seen: set[str]) -> set[str]:
    """Every property name reachable from a JSON schema (following $ref once each)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return set()
        seen.add(name)
        return _properties(components[name], components, seen)
    names = set(schema.get("properties", {}))
    children = [*schema.get("properties", {}).values(), schema.get("items"),
                schema.get("additionalProperties"), *schema.get("anyOf", []),
                *schema.get("oneOf", []), *schema.get("allOf", [])]
    for child in children:
        if isinstance(child, dict):
            names |= _properties(child, components, seen)
    return names


def test_every_route_answering_personal_fields_or_payloads_needs_a_scope(
        client: TestClient) -> None:
    """A guard for routes added later: personal fields or payloads in a response schema
    mean the route must require a key even on localhost (or redact, as tested above)."""
    document = client.get("/openapi.json").json()
    components = document["components"]["schemas"]
    leaking = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            ok = operation.get("responses", {}).get("200", {}).get("content", {})
            schema = ok.get("application/json", {}).get("schema", {})
            exposed = _properties(schema, components, set()) & SENSITIVE
            optional = {} in operation.get("security", [{}])
            if exposed and optional and path not in REDACTED_WITHOUT_SCOPE:
                leaking.append((method, path, sorted(exposed)))
    assert leaking == []


def test_a_current_etag_does_not_let_a_caller_without_the_scope_through(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    _, letters_key = _key(warehouse.database, Scope.DEADLETTERS_READ)
    allowed = client.get("/api/v1/dead-letters", headers={"X-API-Key": letters_key})
    assert allowed.status_code == 200 and allowed.headers["etag"]
    for headers in ({}, {"X-API-Key": _key(warehouse.database, Scope.METRICS_READ)[1]}):
        refused = client.get("/api/v1/dead-letters",
                             headers={**headers, "If-None-Match": allowed.headers["etag"]})
        assert refused.status_code in (401, 403), refused.status_code
    again = client.get("/api/v1/dead-letters", headers={
        "X-API-Key": letters_key, "If-None-Match": allowed.headers["etag"]})
    assert again.status_code == 304
