"""The validator on the real broker: canonical valid records, dead letters with headers."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ENTITY,
    H_ERR_ATTEMPT,
    H_ERR_FIRST_FAILED_AT,
    H_FILE_HASH,
    H_FORMAT,
    H_LINE,
    H_PARSE_ERROR,
    H_REPLAY_ID,
    H_SOURCE_FILE,
)
from shopflow.runtime.kafka import EventProducer, Headers
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, raw_topic, valid_topic
from tests.integration.ingestor.support import (
    Rec,
    output_topics,
    prepare_topics,
    read_topics,
    run_validator,
)

pytestmark = pytest.mark.integration

ORDER = {"order_id": "o1", "customer_id": "c1", "order_ts": "2026-01-01 10:00:00",
         "status": "paid", "currency": "EUR", "shipping_amount": "4.5", "channel": ""}


def headers(line: int, version: str = "1", **extra: str) -> Headers:
    base = {H_BATCH_ID: "b1", H_SOURCE_FILE: "orders.csv", H_LINE: str(line),
            H_FILE_HASH: "ab" * 32, H_ENTITY: "orders", H_CONTRACT_VERSION: version,
            H_FORMAT: "csv", **extra}
    return [(k, v.encode()) for k, v in base.items()]


def by_line(records: list[Rec]) -> dict[int, Rec]:
    return {int(r.headers[H_LINE]): r for r in records}


def test_valid_and_invalid_records_are_routed_with_their_headers(
        settings: Settings, kafka_bootstrap: str) -> None:
    prepare_topics(settings)
    producer = EventProducer(settings)
    topic = raw_topic(settings, "orders")
    bad = dict(ORDER, order_id="o3", status="lost", currency="")
    inputs = [
        (b"o1", json.dumps(ORDER).encode(), headers(2)),
        (b"o3", json.dumps(bad).encode(), headers(3)),
        (None, b"o4,c4,\xff\n", headers(4, **{H_PARSE_ERROR: "line 4: not UTF-8"})),
        (b"o5", json.dumps(dict(ORDER, order_id="o5")).encode(), headers(5, version="9")),
        (b"o6", b"{not json", headers(6)),
        (b"o7", None, headers(7)),
        (b"o8", json.dumps(dict(ORDER, order_id="o8", status="x")).encode(),
         headers(8, **{H_REPLAY_ID: "replay-1", H_ERR_ATTEMPT: "2",
                       H_ERR_FIRST_FAILED_AT: "2026-01-02T03:04:05+00:00"})),
    ]
    for key, value, hdrs in inputs:
        producer.produce(topic, value, key, hdrs)
    producer.flush()

    run_validator(settings, expected_outputs=len(inputs))

    valid = by_line(read_topics(settings, [valid_topic(settings, "orders")]))
    dead = by_line(read_topics(settings, [dlq_topic(settings, "orders")]))
    assert sorted(valid) == [2] and sorted(dead) == [3, 4, 5, 6, 7, 8]
    canonical = json.loads(valid[2].value or b"")
    assert canonical["order_ts"] == "2026-01-01T10:00:00Z"
    assert canonical["shipping_amount"] == "4.50" and canonical["channel"] is None
    assert valid[2].key == b"o1" and valid[2].headers[H_FILE_HASH] == "ab" * 32

    for line, (key, value, _) in zip(range(3, 9), inputs[1:], strict=True):
        assert dead[line].value == value and dead[line].key == key  # the original bytes
        assert dead[line].headers["shopflow.errors.original.topic"] == topic
        assert dead[line].headers[H_BATCH_ID] == "b1"
    first = dead[3].headers
    assert first["shopflow.errors.codes"].split(",") == ["invalid_enum", "missing_field"]
    assert first["shopflow.errors.field"] == "status"
    assert {d["field"] for d in json.loads(first["shopflow.errors.detail"])} == {
        "status", "currency"}
    assert first[H_ERR_ATTEMPT] == "1" and first["shopflow.errors.contract_version"] == "1"
    datetime.fromisoformat(first[H_ERR_FIRST_FAILED_AT])
    assert int(first["shopflow.errors.original.offset"]) >= 0
    for line in (4, 5, 6, 7):
        assert dead[line].headers["shopflow.errors.codes"] == "unparseable"
    assert "unknown version 9" in dead[5].headers["shopflow.errors.message"]
    replayed = dead[8].headers
    assert replayed[H_ERR_ATTEMPT] == "3" and replayed[H_REPLAY_ID] == "replay-1"
    assert replayed[H_ERR_FIRST_FAILED_AT] == "2026-01-02T03:04:05+00:00"
    assert len(read_topics(settings, output_topics(settings))) == len(inputs)
