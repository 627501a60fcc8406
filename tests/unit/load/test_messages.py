"""Sorting a consumed batch: valid chunks checked once each, dead letters, control events."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from confluent_kafka import Message

from contracts.chunk import (
    Envelope,
    FileOrigin,
    ReplayMark,
    encode_chunk,
    encode_valid_chunk,
    raw_entry,
    valid_entry_bytes,
)
from shopflow.events import (
    H_BATCH_ID,
    BatchCompleted,
    BatchPublished,
    encode_event,
    envelope_headers,
)
from shopflow.load.messages import MessageSorter, check_valid_chunk, loader_topics
from shopflow.runtime.errors import MessageError
from shopflow.runtime.settings import Settings

SETTINGS = Settings(topic_prefix="p")
ORIGIN = FileOrigin("b1", "orders.csv", "orders", 1, "csv", "ab12")
REPLAY = ReplayMark(replay_id="r9", attempt=1, first_failed_at="2026-01-01T00:00:00Z")


def chunk_value(*lines: int, origin: FileOrigin = ORIGIN) -> bytes:
    return encode_valid_chunk(origin, [
        valid_entry_bytes(line, b"o%d" % line, b'{"order_id":"o%d","status":"paid"}' % line,
                          REPLAY if line == 9 else None) for line in lines])


def message(topic: str, value: bytes | None, offset: int = 3,
            headers: Any = None) -> Message:
    return Message(topic=topic, partition=2, offset=offset, value=value, headers=headers)


def test_valid_chunk_is_kept_whole_with_its_origin_and_record_count() -> None:
    value = chunk_value(2, 3, 9)
    batch = MessageSorter(SETTINGS).sort([message("p.valid.orders", value)])
    [chunk] = batch.chunks["orders"]
    assert chunk.value is value  # handed to PostgreSQL as it arrived
    assert chunk.origin == ORIGIN and chunk.records == 3
    assert batch.record_count == 3 and batch.batch_ids == {"b1"}


def test_empty_chunk_loads_nothing_and_is_not_an_error() -> None:
    batch = MessageSorter(SETTINGS).sort([message("p.valid.orders", chunk_value())])
    assert batch.chunks == {} and batch.unusable == []


def test_unknown_members_are_ignored() -> None:
    data = orjson.loads(chunk_value(2))
    data["later"] = {"x": 1}
    data["records"][0]["also_later"] = True
    chunk = check_valid_chunk(message("p.valid.orders", orjson.dumps(data)), "orders")
    assert chunk.records == 1


def test_dead_letters_are_kept_whole_with_their_batch() -> None:
    headers = envelope_headers(Envelope(ORIGIN, 7, b"o7"))
    msg = message("p.dlq.orders", b"not json at all", headers=headers)
    batch = MessageSorter(SETTINGS).sort([msg])
    assert batch.dead_letters == [msg]
    assert batch.dead_letter_batches == {"b1"} and batch.dead_letter_entities == {"orders"}
    assert batch.chunks == {}


def test_control_events_are_decoded_and_own_events_ignored() -> None:
    published = BatchPublished(batch_id="b1", files_published=1, records=3)
    completed = BatchCompleted(batch_id="b1", loaded=3, rejected=0)
    msgs = [Message(topic="p.control.batches", value=encode_event(e), offset=i)
            for i, e in enumerate([published, completed])]
    batch = MessageSorter(SETTINGS).sort(msgs)
    assert batch.control == [published]


def _edit(change: str) -> bytes:
    data = orjson.loads(chunk_value(2, 3))
    entry = data["records"][1]
    if change == "line-text":
        entry["line"] = "3"
    elif change == "line-float":
        entry["line"] = 3.0
    elif change == "line-zero":
        entry["line"] = 0
    elif change == "line-huge":
        entry["line"] = 2**31
    elif change == "line-bool":
        entry["line"] = True
    elif change == "no-record":
        del entry["record"]
    elif change == "record-list":
        entry["record"] = [1]
    elif change == "entry-scalar":
        data["records"][1] = 5
    elif change == "records-object":
        data["records"] = {"line": 2}
    elif change == "no-origin":
        del data["origin"]
    elif change == "no-batch":
        data["origin"]["batch_id"] = ""
    elif change == "file-number":
        data["origin"]["source_file"] = 7
    elif change == "kind-raw":
        data["kind"] = "raw"
    elif change == "version-2":
        data["v"] = 2
    elif change == "nul":
        entry["record"]["status"] = "pa\x00id"
    elif change == "origin-nul":
        data["origin"]["source_file"] = "orders\x00.csv"
    return orjson.dumps(data)


@pytest.mark.parametrize("value", [
    None, b"", b"{broken", b"[1, 2]", b'"chunk"',
    *(_edit(c) for c in ("line-text", "line-float", "line-bool", "entry-scalar",
                         "records-object", "no-origin", "no-batch", "file-number", "kind-raw",
                         "version-2", "origin-nul")),
    chunk_value(2, origin=FileOrigin("b1", "items.csv", "order_items", 1, "csv")),
    encode_chunk("raw", ORIGIN, [raw_entry(2, None, b'{"order_id":"o2"}')]),
])
def test_structurally_broken_chunks_are_reported_with_their_location(
        value: bytes | None) -> None:
    msg = message("p.valid.orders", value, offset=11)
    batch = MessageSorter(SETTINGS).sort([msg, message("p.valid.orders", chunk_value(2), 12)])
    [error] = batch.unusable
    assert (error.topic, error.partition, error.offset) == ("p.valid.orders", 2, 11)
    assert [c.records for c in batch.chunks["orders"]] == [1]  # the rest of the batch stays


@pytest.mark.parametrize("msg", [
    message("p.dlq.orders", b"x", headers=[(H_BATCH_ID, b"b")]),
    Message(topic="p.control.batches", partition=0, offset=12, value=b'{"type":"Nope"}'),
    Message(topic="p.raw.orders", partition=0, offset=13, value=b"{}"),
])
def test_other_unusable_messages_are_reported_with_their_location(msg: Message) -> None:
    batch = MessageSorter(SETTINGS).sort([msg])
    assert batch.chunks == {} and batch.control == [] and batch.dead_letters == []
    [error] = batch.unusable
    assert isinstance(error, MessageError)
    assert error.topic == msg.topic() and error.offset == msg.offset()


def test_loader_reads_valid_dlq_and_control_topics() -> None:
    topics = loader_topics(SETTINGS)
    assert "p.valid.order_items" in topics and "p.dlq.reviews" in topics
    assert "p.control.batches" in topics
    assert not any(".raw." in t for t in topics)


@pytest.mark.parametrize(("change", "problem"), [
    ("line-zero", "line number 0 is outside 1..2147483647"),
    ("line-huge", "line number 2147483648 is outside 1..2147483647"),
    ("no-record", "no record object"),
    ("record-list", "no record object"),
])
def test_entries_the_database_cannot_store_are_noted_and_the_chunk_is_kept(
        change: str, problem: str) -> None:
    """Such an entry becomes a dead letter (shopflow.load.refusals); the chunk's other
    records still load. Before, the whole chunk was skipped."""
    msg = message("p.valid.orders", _edit(change), offset=11)
    batch = MessageSorter(SETTINGS).sort([msg])
    assert batch.unusable == []
    [chunk] = batch.chunks["orders"]
    [(position, reason)] = chunk.problems
    assert position == 1 and problem in reason
    assert (chunk.topic, chunk.partition, chunk.offset, chunk.records) == \
        ("p.valid.orders", 2, 11, 2)


def test_a_nul_in_a_record_is_left_to_the_database_not_the_whole_chunk() -> None:
    """jsonb refuses \\u0000: staging isolates that one record and dead-letters it."""
    batch = MessageSorter(SETTINGS).sort([message("p.valid.orders", _edit("nul"))])
    assert batch.unusable == []
    [chunk] = batch.chunks["orders"]
    assert chunk.records == 2 and chunk.problems == ()
