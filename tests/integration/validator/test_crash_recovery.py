"""The real validator process, killed with SIGKILL mid-batch and restarted, loses nothing."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.chunk import (
    CHUNK_VERSION,
    H_CHUNK_VERSION,
    FileOrigin,
    chunk_key,
    encode_chunk,
    raw_entry,
)
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic
from tests.conftest import settings_env
from tests.integration.ingestor.support import (
    chunk_count,
    group_lag,
    output_topics,
    prepare_topics,
    raw_topics,
    read_topics,
    topic_size,
    wait_until,
)

pytestmark = pytest.mark.integration
RECORDS = 8_000
CHUNK = 50  # records per raw chunk


def produce_raw(settings: Settings) -> int:
    """RECORDS clickstream records in raw chunks of CHUNK records; returns the chunk count."""
    producer = EventProducer(settings)
    topic = raw_topic(settings, "clickstream")
    origin = FileOrigin("b1", "clickstream.jsonl", "clickstream", 1, "jsonl")
    entries = []
    for i in range(RECORDS):
        record = {"event_id": f"e{i}", "event_ts": "2026-01-01T10:00:00Z",
                  "anonymous_id": f"a{i % 97}", "event_type": "page_view"}
        if i % 10 == 0:
            record["event_type"] = "teleport"  # a dead letter
        entries.append(raw_entry(i + 1, f"e{i}".encode(), json.dumps(record).encode()))
    chunks = [entries[i:i + CHUNK] for i in range(0, RECORDS, CHUNK)]
    for chunk in chunks:
        producer.produce(topic, encode_chunk("raw", origin, chunk),
                         chunk_key(origin, chunk[0]["line"]),
                         [(H_CHUNK_VERSION, b"%d" % CHUNK_VERSION)])
    producer.flush()
    return len(chunks)


def start_validator(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    env = settings_env(settings)
    # One chunk per batch: many small batches, so a kill lands mid-way.
    env["SHOPFLOW_CONSUME_BATCH_SIZE"] = "1"
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "services.validator"], env=env,
                                stdout=out, stderr=subprocess.STDOUT)


def test_sigkill_mid_batch_then_restart_loses_nothing(
        settings: Settings, kafka_bootstrap: str, tmp_path: Path) -> None:
    prepare_topics(settings)
    assert produce_raw(settings) == RECORDS // CHUNK
    log = tmp_path / "validator.log"
    first = start_validator(settings, log)
    try:
        wait_until(lambda: topic_size(settings, output_topics(settings)) > 0, 60,
                   "first outputs", poll=0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        done_before_kill = chunk_count(settings, output_topics(settings))  # records
        print(f"records out before the kill: {done_before_kill} of {RECORDS}")
        assert done_before_kill < RECORDS, "killed too late to prove anything"
        second = start_validator(settings, log)
        try:
            group = f"{settings.consumer_group_prefix}.validator"
            wait_until(lambda: group_lag(settings, group, raw_topics(settings)) == 0, 90,
                       "the restarted validator to commit everything")
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(20) == 0, log.read_text()[-2000:]
    finally:
        if first.poll() is None:
            first.kill()

    raw_ids = {r.identity() for r in read_topics(settings, raw_topics(settings))}
    assert raw_ids == {("b1", "clickstream.jsonl", i + 1) for i in range(RECORDS)}
    outputs = read_topics(settings, output_topics(settings))
    assert {r.identity() for r in outputs} == raw_ids  # every record has a counterpart
    dead = {r.identity() for r in outputs if ".dlq." in r.topic}
    assert dead == {("b1", "clickstream.jsonl", i + 1) for i in range(0, RECORDS, 10)}
    # Duplicates from the redelivered batch are allowed (the loader absorbs them).
    assert len(outputs) >= RECORDS
