"""How the ingestor cuts files into raw chunks on the real broker: bounded by the configured
record count and bytes, keyed by where each chunk starts (so one file's chunks spread over
partitions), every record keeping (batch, file, line) and its key across chunks, and the
validator keeping the chunks' keys and the records' identities."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from confluent_kafka import Message

from contracts.chunk import H_CHUNK_VERSION, Chunk, decode_chunk, encode_chunk
from shopflow.events import FilePublished
from shopflow.ingest.runner import scan_once
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, raw_topic, valid_topic
from tests.integration.ingestor.fixtures import write_batch
from tests.integration.ingestor.support import (
    control_events,
    prepare_topics,
    read_messages,
    read_topics,
    run_validator,
)

pytestmark = pytest.mark.integration

BATCH = "batch-chunks"
ORDERS = 230
CLICKS = 60
MAX_RECORDS = 25
MAX_BYTES = 8192


def orders_csv() -> str:
    rows = [f"o{i},c{i % 10},2026-01-01T10:00:00Z,paid,EUR,web" for i in range(ORDERS)]
    return "order_id,customer_id,order_ts,status,currency,channel\n" + "\n".join(rows) + "\n"


def clickstream_jsonl() -> str:
    lines = [json.dumps({"event_id": f"e{i}", "event_ts": "2026-01-01T10:00:00Z",
                         "anonymous_id": "a1", "event_type": "page_view",
                         "page_url": f"/p/{i}?q=" + "x" * 1000}) for i in range(CLICKS)]
    return "\n".join(lines) + "\n"


def chunks(settings: Settings, topic: str) -> list[tuple[Message, Chunk]]:
    messages = read_messages(settings, [topic])
    found = [(m, decode_chunk(m.value())) for m in messages]
    return sorted(found, key=lambda mc: mc[1].records[0]["line"])


def test_files_are_cut_into_bounded_chunks_that_keep_every_record_identity(
        platform_settings: Settings, tmp_path: Path) -> None:
    settings = platform_settings.model_copy(update={
        "chunk_max_records": MAX_RECORDS, "chunk_max_bytes": MAX_BYTES})
    prepare_topics(settings)
    write_batch(settings.landing_dir, BATCH, {"orders.csv": orders_csv(),
                                              "clickstream.jsonl": clickstream_jsonl()})

    [report] = scan_once(settings, EventProducer(settings))

    assert report.published == {"orders.csv": ORDERS, "clickstream.jsonl": CLICKS}
    announced = {e.file: e.records for e in control_events(settings)
                 if isinstance(e, FilePublished)}
    assert announced == {"orders.csv": ORDERS, "clickstream.jsonl": CLICKS}

    # orders: small rows, so the record count bounds the chunks
    orders = chunks(settings, raw_topic(settings, "orders"))
    assert [len(c.records) for _, c in orders] == [MAX_RECORDS] * (ORDERS // MAX_RECORDS) + [
        ORDERS % MAX_RECORDS]
    _check_chunks(orders, "orders.csv", ORDERS, key_prefix="o", first_line=2)  # after the header

    # clickstream: wide lines, so the bytes bound the chunks
    clicks = chunks(settings, raw_topic(settings, "clickstream"))
    sizes = [len(c.records) for _, c in clicks]
    assert sum(sizes) == CLICKS and max(sizes) < MAX_RECORDS and max(sizes) > 1
    for message, chunk in clicks:
        without_records = len(encode_chunk("raw", chunk.origin, []))
        assert len(message.value() or b"") - without_records <= MAX_BYTES
    _check_chunks(clicks, "clickstream.jsonl", CLICKS, key_prefix="e", first_line=1)

    # Every record as a test reads it: once, with its identity and its own key.
    raw = read_topics(settings, [raw_topic(settings, e) for e in ("orders", "clickstream")])
    identities = Counter(r.identity() for r in raw)
    assert set(identities.values()) == {1}
    assert set(identities) == {(BATCH, "orders.csv", n + 2) for n in range(ORDERS)} | {
        (BATCH, "clickstream.jsonl", n + 1) for n in range(CLICKS)}

    # The validator writes each raw chunk's records as a valid chunk with the same key.
    run_validator(settings, expected_outputs=ORDERS + CLICKS)
    for entity, source in (("orders", orders), ("clickstream", clicks)):
        assert read_messages(settings, [dlq_topic(settings, entity)]) == []
        raw_lines = {m.key(): [e["line"] for e in c.records] for m, c in source}
        valid = chunks(settings, valid_topic(settings, entity))
        assert len(valid) == len(source)
        for message, chunk in valid:
            assert chunk.kind == "valid" and chunk.origin == source[0][1].origin
            assert [e["line"] for e in chunk.records] == raw_lines[message.key()]
            assert all("record" in e and "value" not in e for e in chunk.records)
    valid_ids = Counter(r.identity() for r in read_topics(
        settings, [valid_topic(settings, e) for e in ("orders", "clickstream")]))
    assert valid_ids == identities


def _check_chunks(found: list[tuple[Message, Chunk]], source_file: str, records: int,
                  key_prefix: str, first_line: int) -> None:
    lines = [e["line"] for _, c in found for e in c.records]
    assert lines == list(range(first_line, first_line + records))  # once each, in order
    for message, chunk in found:
        first = chunk.records[0]["line"]
        assert message.key() == f"{BATCH}|{source_file}|{first}".encode()
        assert dict(message.headers() or [])[H_CHUNK_VERSION] == b"1"
        assert chunk.kind == "raw"
        assert (chunk.origin.batch_id, chunk.origin.source_file) == (BATCH, source_file)
        assert chunk.origin.file_sha256 and len(chunk.origin.file_sha256) == 64
        assert len(chunk.records) <= MAX_RECORDS
        for entry in chunk.records:
            assert entry["key"] == f"{key_prefix}{entry['line'] - first_line}"
    assert len({m.key() for m, _ in found}) == len(found)
    assert len({m.partition() for m, _ in found}) > 1  # one file, several partitions
