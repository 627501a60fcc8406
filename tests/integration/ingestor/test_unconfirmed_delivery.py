"""A chunk the client reports delivered without a broker offset is not trusted.

librdkafka reports a message as delivered, with no error and no offset, when a later
request to the partition succeeded while the message's own request had failed (an
"implicit ack"). On a partition the broker had just created it accepts that later
request although the earlier one was never written: the chunk is gone while reported
delivered (docs/decisions/0084). Here the client double does exactly that for the first
raw chunk; the file must not be recorded as published, the batch stays for the next pass,
and that pass publishes every record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, cast

import psycopg
import pytest
from confluent_kafka import Message, Producer

from shopflow.ingest.runner import scan_once
from shopflow.runtime.errors import DeliveryError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.fixtures import write_batch
from tests.integration.ingestor.support import prepare_topics, read_topics

pytestmark = pytest.mark.integration

Callback = Callable[[Any, Any], None]
CLICKS = 250


def clickstream_jsonl() -> str:
    return "".join(json.dumps({"event_id": f"e{i}", "event_ts": "2026-01-01T10:00:00Z",
                               "anonymous_id": "a1", "event_type": "page_view"}) + "\n"
                   for i in range(CLICKS))


class _InferredDelivery:
    """What librdkafka hands the delivery callback for an implicitly acked message."""

    def __init__(self, topic: str) -> None:
        self._topic = topic

    def topic(self) -> str:
        return self._topic

    def partition(self) -> int:
        return 0

    def offset(self) -> None:
        return None

    def error(self) -> None:
        return None


class LosesFirstRawChunk:
    """The real producer, except that the first raw chunk never reaches the broker and is
    reported delivered without an offset, as after an implicit ack."""

    def __init__(self, real: Producer) -> None:
        self._real = real
        self._pending: list[tuple[Callback, _InferredDelivery]] = []
        self.lost = 0

    def produce(self, topic: str, value: bytes | None = None, key: Any = None,
                headers: Any = None, on_delivery: Callback | None = None) -> None:
        if ".raw." in topic and not self.lost and on_delivery is not None:
            self.lost += 1
            self._pending.append((on_delivery, _InferredDelivery(topic)))
            return
        self._real.produce(topic, value=value, key=key, headers=headers,
                           on_delivery=on_delivery)

    def _report(self) -> None:
        pending, self._pending = self._pending, []
        for callback, msg in pending:
            callback(None, msg)

    def poll(self, timeout: float = 0) -> int:
        self._report()
        return self._real.poll(timeout)

    def flush(self, timeout: float = -1) -> int:
        self._report()
        return self._real.flush(timeout)


def test_a_delivery_without_offset_fails_the_flush(settings: Settings) -> None:
    producer = EventProducer(settings)
    inferred = _InferredDelivery(f"{settings.topic_prefix}.raw.orders")
    producer._on_delivery(None, cast(Message, inferred))
    with pytest.raises(DeliveryError, match="without an offset"):
        producer.flush(timeout=1)
    producer.flush(timeout=1)  # reported once, then the producer is usable again


def test_a_chunk_reported_delivered_without_offset_is_published_again(
        platform_settings: Settings, database: TestDatabase,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = platform_settings.model_copy(update={"chunk_max_records": 100})
    prepare_topics(settings)
    # Three chunks (100, 100 and 50 records); the first one is lost on the first pass.
    batch = write_batch(settings.landing_dir, "batch-lossy",
                        {"clickstream.jsonl": clickstream_jsonl()})

    lossy = EventProducer(settings)
    double = LosesFirstRawChunk(lossy._producer)
    monkeypatch.setattr(lossy, "_producer", double)
    assert scan_once(settings, lossy) == []  # the batch failed: it stays for the next pass
    assert double.lost == 1
    assert batch.exists()
    with psycopg.connect(database.url) as conn:
        status = conn.execute("SELECT status, records FROM ops.ingested_files").fetchall()
    assert status == [("publishing", None)]  # never "published" on an inferred delivery

    [report] = scan_once(settings, EventProducer(settings))
    assert report.published == {"clickstream.jsonl": CLICKS}
    raw = read_topics(settings, [raw_topic(settings, "clickstream")])
    assert {r.identity()[2] for r in raw} == set(range(1, CLICKS + 1))  # every record is there
    with psycopg.connect(database.url) as conn:
        status = conn.execute("SELECT status, records FROM ops.ingested_files").fetchall()
    assert status == [("published", CLICKS)]
    assert not batch.exists()
