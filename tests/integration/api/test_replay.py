"""POST /api/v1/dead-letters/replay: needs the API key; re-submits to the raw topic."""

from __future__ import annotations

import json

import psycopg
import pytest
from confluent_kafka import Consumer
from fastapi.testclient import TestClient
from psycopg.types.json import Jsonb

from contracts.chunk import decode_chunk, entry_bytes
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics, raw_topic
from tests.conftest import TestDatabase
from tests.integration.api.conftest import API_KEY
from tests.integration.api.test_errors import assert_problem

pytestmark = pytest.mark.integration

PAYLOAD = {"order_id": "o-1", "customer_id": "c-1", "order_ts": "2026-03-01T10:00:00Z",
           "status": "paid", "currency": "EURO"}
LETTER = {"batch_id": "batch-2026-03-01", "source_file": "orders.csv", "line_number": 7}


@pytest.fixture
def letter(database: TestDatabase) -> dict:
    with psycopg.connect(database.url) as conn:
        conn.execute(
            "INSERT INTO ops.dead_letters (batch_id, source_file, line_number, entity, codes,"
            " errors, contract_version, dlq_topic, dlq_partition, dlq_offset, first_failed_at,"
            " last_failed_at, record_key, payload) VALUES (%s, %s, %s, 'orders',"
            " ARRAY['invalid_format'], %s, 1, 'x.dlq.orders', 0, 0, now(), now(), %s, %s)",
            (LETTER["batch_id"], LETTER["source_file"], LETTER["line_number"],
             Jsonb([{"code": "invalid_format", "field": "currency", "message": "not ISO"}]),
             b"o-1", json.dumps(PAYLOAD).encode()))
    return LETTER


def _settings(client: TestClient) -> Settings:
    return client.app.state.settings  # type: ignore[attr-defined]


def test_replay_without_the_right_key_is_refused(fresh_client: TestClient, letter: dict,
                                                 database: TestDatabase) -> None:
    body = {"letters": [letter]}
    for headers in ({}, {"X-API-Key": ""}, {"X-API-Key": "wrong"},
                    {"X-API-Key": API_KEY + "x"}):
        response = fresh_client.post("/api/v1/dead-letters/replay", json=body, headers=headers)
        assert_problem(response, 401, "X-API-Key")
        assert response.headers["www-authenticate"].startswith("ApiKey")
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT count(*) FROM ops.dlq_replays").fetchone() == (0,)


def test_replay_with_the_key_resubmits_once(fresh_client: TestClient, letter: dict,
                                            database: TestDatabase) -> None:
    settings = _settings(fresh_client)
    create_topics(settings, [raw_topic(settings, "orders")])
    headers = {"X-API-Key": API_KEY}
    dry = fresh_client.post("/api/v1/dead-letters/replay",
                            json={"letters": [letter], "dry_run": True}, headers=headers)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] and dry.json()["resubmitted"] == [
        "batch-2026-03-01/orders.csv:7"]

    done = fresh_client.post("/api/v1/dead-letters/replay",
                             json={"entity": "orders", "error_codes": ["invalid_format"]},
                             headers=headers)
    assert done.status_code == 200, done.text
    report = done.json()
    assert report["replay_id"] and report["resubmitted"] == ["batch-2026-03-01/orders.csv:7"]
    assert _consume_one(settings, raw_topic(settings, "orders")) == (
        json.loads(json.dumps(PAYLOAD)), report["replay_id"])
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT source, resubmitted FROM ops.dlq_replays").fetchall() == [
            ("api", 1)]

    again = fresh_client.post("/api/v1/dead-letters/replay", json={"letters": [letter]},
                              headers=headers).json()
    assert again["resubmitted"] == [] and list(again["skipped"]) == ["already_replayed"]


def test_replay_needs_a_selection(fresh_client: TestClient) -> None:
    response = fresh_client.post("/api/v1/dead-letters/replay", json={"dry_run": True},
                                 headers={"X-API-Key": API_KEY})
    assert_problem(response, 400, "choose letters")
    unknown = fresh_client.post("/api/v1/dead-letters/replay", json={"entity": "planets"},
                                headers={"X-API-Key": API_KEY})
    assert_problem(unknown, 422, "entity")


def _consume_one(settings: Settings, topic: str) -> tuple[object, str | None]:
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap,
                         "group.id": f"{settings.consumer_group_prefix}.check",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    try:
        consumer.subscribe([topic])
        for _ in range(60):
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                (entry,) = decode_chunk(message.value()).records  # one replayed record
                return json.loads(entry_bytes(entry)), entry["replay"]["replay_id"]
        raise AssertionError(f"nothing arrived on {topic}")
    finally:
        consumer.close()
