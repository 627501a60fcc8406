"""Sorting a consumed batch: rows in staging column order, dead letters, control events."""

from __future__ import annotations

import pytest
from confluent_kafka import Message

from shopflow.events import (
    H_BATCH_ID,
    H_LINE,
    H_REPLAY_ID,
    H_SOURCE_FILE,
    BatchCompleted,
    BatchPublished,
    encode_event,
)
from shopflow.load.messages import MessageSorter, loader_topics, provenance
from shopflow.runtime.errors import MessageError
from shopflow.runtime.kafka import Headers
from shopflow.runtime.settings import Settings

SETTINGS = Settings(topic_prefix="p")
COLUMNS = {"orders": ("order_id", "status"), "inventory": ("snapshot_date", "on_hand")}


def record(topic: str, value: bytes, line: str = "7", replay: bytes | None = None,
           offset: int = 3) -> Message:
    headers: Headers = [(H_BATCH_ID, b"b1"), (H_SOURCE_FILE, b"orders.csv"),
                        (H_LINE, line.encode())]
    if replay is not None:
        headers.append((H_REPLAY_ID, replay))
    return Message(topic=topic, partition=2, offset=offset, value=value, headers=headers)


def test_valid_record_becomes_a_row_in_column_order_with_provenance() -> None:
    msg = record("p.valid.orders", b'{"status":"paid","order_id":"o1","extra":1}', replay=b"r9")
    batch = MessageSorter(SETTINGS, COLUMNS).sort([msg])
    assert batch.rows == {"orders": [("o1", "paid", "b1", "orders.csv", 7, "r9")]}
    assert batch.record_count == 1


def test_missing_json_key_is_null_and_empty_replay_header_is_none() -> None:
    msg = record("p.valid.inventory", b'{"snapshot_date":"2024-01-02"}', replay=b"")
    batch = MessageSorter(SETTINGS, COLUMNS).sort([msg])
    assert batch.rows["inventory"] == [("2024-01-02", None, "b1", "orders.csv", 7, None)]


def test_dead_letters_are_kept_whole_with_their_batch() -> None:
    msg = record("p.dlq.orders", b"not json at all")
    batch = MessageSorter(SETTINGS, COLUMNS).sort([msg])
    assert batch.dead_letters == [msg]
    assert batch.dead_letter_batches == {"b1"}
    assert batch.rows == {}


def test_control_events_are_decoded_and_own_events_ignored() -> None:
    published = BatchPublished(batch_id="b1", files_published=1, records=3)
    completed = BatchCompleted(batch_id="b1", loaded=3, rejected=0)
    msgs = [Message(topic="p.control.batches", value=encode_event(e), offset=i)
            for i, e in enumerate([published, completed])]
    batch = MessageSorter(SETTINGS, COLUMNS).sort(msgs)
    assert batch.control == [published]


@pytest.mark.parametrize("msg", [
    record("p.valid.orders", b"{broken"),
    record("p.valid.orders", b"[1, 2]"),
    record("p.valid.orders", b"{}", line="x"),
    Message(topic="p.valid.orders", partition=0, offset=11, value=b"{}", headers=[]),
    Message(topic="p.control.batches", partition=0, offset=12, value=b'{"type":"Nope"}'),
    Message(topic="p.raw.orders", partition=0, offset=13, value=b"{}"),
])
def test_unusable_messages_are_reported_with_their_location(msg: Message) -> None:
    batch = MessageSorter(SETTINGS, COLUMNS).sort([msg])
    assert batch.rows == {} and batch.control == [] and batch.dead_letters == []
    [error] = batch.unusable
    assert error.topic == msg.topic() and error.offset == msg.offset()


def test_provenance_requires_all_three_headers() -> None:
    msg = Message(topic="t", partition=1, offset=2, headers=[(H_BATCH_ID, b"b")])
    with pytest.raises(MessageError, match="offset=2"):
        provenance(msg)


def test_loader_reads_valid_dlq_and_control_topics() -> None:
    topics = loader_topics(SETTINGS)
    assert "p.valid.order_items" in topics and "p.dlq.reviews" in topics
    assert "p.control.batches" in topics
    assert not any(".raw." in t for t in topics)
