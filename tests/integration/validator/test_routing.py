"""The validator on the real broker: raw chunks in, canonical valid chunks and per-record dead
letters (original bytes and key, envelope and error headers, where the chunk was) out."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from confluent_kafka import Message

from contracts.chunk import (
    CHUNK_VERSION,
    H_CHUNK_VERSION,
    FileOrigin,
    RecordEntry,
    ReplayMark,
    chunk_key,
    decode_chunk,
    encode_chunk,
    raw_entry,
)
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ENTITY,
    H_ERR_ATTEMPT,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    H_FILE_HASH,
    H_FORMAT,
    H_LINE,
    H_REPLAY_ID,
    H_SOURCE_FILE,
    envelope_from_headers,
)
from shopflow.runtime.kafka import EventProducer, Headers
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, raw_topic, valid_topic
from tests.integration.ingestor.support import (
    Rec,
    headers_of,
    output_topics,
    prepare_topics,
    read_messages,
    read_topics,
    run_validator,
    topic_size,
    validate_until,
)

pytestmark = pytest.mark.integration

ORDER = {"order_id": "o1", "customer_id": "c1", "order_ts": "2026-01-01 10:00:00",
         "status": "paid", "currency": "EUR", "shipping_amount": "4.5", "channel": ""}
ORIGIN = FileOrigin("b1", "orders.csv", "orders", 1, "csv", "ab" * 32)
FIRST_FAILED = "2026-01-02T03:04:05+00:00"
CHUNK_HEADERS = [(H_CHUNK_VERSION, b"%d" % CHUNK_VERSION)]


def order(**changes: str) -> bytes:
    return json.dumps(dict(ORDER, **changes)).encode()


def produce_chunk(producer: EventProducer, topic: str, origin: FileOrigin,
                  entries: list[RecordEntry], key: bytes | None = None) -> bytes:
    """A raw chunk as the ingestor writes it; returns its message key."""
    key = key or chunk_key(origin, entries[0]["line"])
    producer.produce(topic, encode_chunk("raw", origin, entries), key, list(CHUNK_HEADERS))
    return key


def by_line(records: list[Rec]) -> dict[int, Rec]:
    lines = [int(r.headers[H_LINE]) for r in records]
    assert len(lines) == len(set(lines)), f"a line came out twice: {sorted(lines)}"
    return dict(zip(lines, records, strict=True))


def chunks_by_key(settings: Settings, topic: str) -> dict[bytes | None, Message]:
    return {m.key(): m for m in read_messages(settings, [topic])}


def test_valid_and_invalid_records_are_routed_with_their_headers(
        settings: Settings, kafka_bootstrap: str) -> None:
    prepare_topics(settings)
    producer = EventProducer(settings)
    topic = raw_topic(settings, "orders")
    mark = ReplayMark(replay_id="replay-1", attempt=2, first_failed_at=FIRST_FAILED)
    no_value = RecordEntry(line=7, key="o7")  # an entry without its record's text
    first = [
        raw_entry(2, b"o1", order()),
        raw_entry(3, b"o3", order(order_id="o3", status="lost", currency="")),
        raw_entry(4, None, b"o4,c4,\xff\n", error="line 4: not UTF-8"),
        raw_entry(6, b"o6", b"{not json"),
        no_value,
        raw_entry(8, b"o8", order(order_id="o8", status="x"), replay=mark),
    ]
    version_9 = FileOrigin("b1", "orders.csv", "orders", 9, "csv", "ab" * 32)
    second = [raw_entry(5, b"o5", order(order_id="o5"))]
    first_key = produce_chunk(producer, topic, ORIGIN, first)
    second_key = produce_chunk(producer, topic, version_9, second)
    producer.flush()
    originals = {2: (b"o1", order()), 3: (b"o3", order(order_id="o3", status="lost",
                                                          currency="")),
                 4: (None, b"o4,c4,\xff\n"), 5: (b"o5", order(order_id="o5")),
                 6: (b"o6", b"{not json"), 7: (b"o7", b""),
                 8: (b"o8", order(order_id="o8", status="x"))}

    run_validator(settings, expected_outputs=len(originals))

    valid = by_line(read_topics(settings, [valid_topic(settings, "orders")]))
    dead = by_line(read_topics(settings, [dlq_topic(settings, "orders")]))
    assert sorted(valid) == [2] and sorted(dead) == [3, 4, 5, 6, 7, 8]
    canonical = json.loads(valid[2].value or b"")
    assert canonical["order_ts"] == "2026-01-01T10:00:00Z"
    assert canonical["shipping_amount"] == "4.50" and canonical["channel"] is None
    assert valid[2].key == b"o1" and valid[2].headers[H_FILE_HASH] == "ab" * 32
    assert valid[2].identity() == ("b1", "orders.csv", 2)
    [valid_chunk] = read_messages(settings, [valid_topic(settings, "orders")])
    assert valid_chunk.key() == first_key  # the raw chunk's key: the same partitioning
    assert decode_chunk(valid_chunk.value()).origin == ORIGIN

    raw_chunks = chunks_by_key(settings, topic)
    where = {line: (raw_chunks[first_key], position)
             for position, line in enumerate(e["line"] for e in first)}
    where[5] = (raw_chunks[second_key], 0)
    for line in range(3, 9):
        key, value = originals[line]
        letter = dead[line]
        assert letter.value == value and letter.key == key  # the original bytes and key
        assert letter.position is None  # one message per record, not a chunk
        h = letter.headers
        assert (h[H_BATCH_ID], h[H_SOURCE_FILE], h[H_ENTITY], h[H_FORMAT]) == (
            "b1", "orders.csv", "orders", "csv")
        assert h[H_FILE_HASH] == "ab" * 32
        chunk, position = where[line]
        assert h[H_ERR_ORIG_TOPIC] == topic
        assert int(h[H_ERR_ORIG_PARTITION]) == chunk.partition()
        assert int(h[H_ERR_ORIG_OFFSET]) == chunk.offset()
        assert int(h[H_ERR_ORIG_POSITION]) == position
    first_letter = dead[3].headers
    assert first_letter["shopflow.errors.codes"].split(",") == ["invalid_enum", "missing_field"]
    assert first_letter["shopflow.errors.field"] == "status"
    assert {d["field"] for d in json.loads(first_letter["shopflow.errors.detail"])} == {
        "status", "currency"}
    assert first_letter[H_ERR_ATTEMPT] == "1"
    assert first_letter["shopflow.errors.contract_version"] == "1"
    assert first_letter[H_CONTRACT_VERSION] == "1"
    datetime.fromisoformat(first_letter[H_ERR_FIRST_FAILED_AT])
    for line in (4, 5, 6, 7):
        assert dead[line].headers["shopflow.errors.codes"] == "unparseable"
    assert dead[4].headers["shopflow.errors.message"] == "line 4: not UTF-8"
    assert "unknown version 9" in dead[5].headers["shopflow.errors.message"]
    assert dead[5].headers["shopflow.errors.contract_version"] == "9"
    replayed = dead[8].headers
    assert replayed[H_ERR_ATTEMPT] == "3" and replayed[H_REPLAY_ID] == "replay-1"
    assert replayed[H_ERR_FIRST_FAILED_AT] == FIRST_FAILED
    assert H_REPLAY_ID not in first_letter
    assert len(read_topics(settings, output_topics(settings))) == len(originals)


def test_a_replayed_record_that_fails_again_counts_one_more_attempt(
        settings: Settings, kafka_bootstrap: str) -> None:
    """The letter a replay produces can itself be replayed: attempt+1 each time, the first
    failure's time kept; a replayed record that is now valid carries its mark on."""
    prepare_topics(settings)
    producer = EventProducer(settings)
    topic = raw_topic(settings, "orders")
    bad = order(order_id="o2", status="lost")
    produce_chunk(producer, topic, ORIGIN, [raw_entry(2, b"o2", bad)])
    producer.flush()
    run_validator(settings, expected_outputs=1)
    [letter] = read_topics(settings, [dlq_topic(settings, "orders")])
    assert letter.headers[H_ERR_ATTEMPT] == "1"
    first_failed = letter.headers[H_ERR_FIRST_FAILED_AT]

    attempts: list[int] = []
    for round_ in range(1, 3):  # replay the latest letter twice, the way a replay reads it
        envelope = envelope_from_headers(letter.headers)
        assert envelope.replay is None or envelope.replay["attempt"] == attempts[-1]
        mark = ReplayMark(replay_id=f"replay-{round_}",
                          attempt=int(letter.headers[H_ERR_ATTEMPT]),
                          first_failed_at=letter.headers[H_ERR_FIRST_FAILED_AT])
        produce_chunk(producer, topic, ORIGIN,
                      [raw_entry(2, letter.key, letter.value or b"", replay=mark)],
                      key=b"replay-%d" % round_)
        producer.flush()
        run_validator(settings, expected_outputs=1 + round_)
        letters = read_topics(settings, [dlq_topic(settings, "orders")])
        [letter] = [r for r in letters if r.headers.get(H_REPLAY_ID) == f"replay-{round_}"]
        attempts.append(int(letter.headers[H_ERR_ATTEMPT]))
        assert letter.value == bad and letter.key == b"o2"
        assert letter.identity() == ("b1", "orders.csv", 2)
        assert letter.headers[H_ERR_FIRST_FAILED_AT] == first_failed
    assert attempts == [2, 3]

    fixed = ReplayMark(replay_id="replay-3", attempt=3, first_failed_at=first_failed)
    produce_chunk(producer, topic, ORIGIN,
                  [raw_entry(2, b"o2", order(order_id="o2"), replay=fixed)], key=b"replay-3")
    producer.flush()
    run_validator(settings, expected_outputs=4)
    [valid] = read_messages(settings, [valid_topic(settings, "orders")])
    [entry] = decode_chunk(valid.value()).records
    assert entry["line"] == 2 and entry.get("replay") == fixed


def test_messages_that_are_not_raw_chunks_are_dead_lettered_whole_and_the_rest_flows(
        settings: Settings, kafka_bootstrap: str) -> None:
    prepare_topics(settings)
    producer = EventProducer(settings)
    topic = raw_topic(settings, "orders")
    clicks = FileOrigin("b1", "clickstream.jsonl", "clickstream", 1, "jsonl")
    click = raw_entry(2, b"e1", json.dumps({"event_id": "e1", "event_ts": "2026-01-01T10:00:00Z",
                                            "anonymous_id": "a1",
                                            "event_type": "page_view"}).encode())
    v2 = json.loads(encode_chunk("raw", ORIGIN, [raw_entry(2, b"o1", order())]))
    v2["v"] = 2
    strangers: list[tuple[bytes | None, Headers]] = [
        (b"\x00\xffnot a chunk at all", []),
        (json.dumps(v2).encode(), [(H_CHUNK_VERSION, b"2")]),  # a version it does not know
        (encode_chunk("raw", clicks, [click]), list(CHUNK_HEADERS)),  # another entity's
        (encode_chunk("valid", ORIGIN, [RecordEntry(line=2, key="o1", record={})]),
         list(CHUNK_HEADERS)),  # not a raw chunk
        (b"[]", []),
        (None, [(H_BATCH_ID, b"b1")]),
    ]
    key = b"same-partition"  # the strangers first, then good chunks, in one partition
    for value, headers in strangers:
        producer.produce(topic, value, key, headers)
    produce_chunk(producer, topic, ORIGIN, [raw_entry(2, b"o1", order()),
                                            raw_entry(3, b"o2", order(status="lost"))], key)
    producer.flush()
    dlq = dlq_topic(settings, "orders")

    validate_until(settings, lambda: topic_size(settings, output_topics(settings)) >= 8)
    produce_chunk(producer, topic, ORIGIN, [raw_entry(4, b"o4", order(order_id="o4"))], key)
    producer.flush()
    validate_until(settings, lambda: topic_size(settings, output_topics(settings)) >= 9)

    letters = read_messages(settings, [dlq])
    assert len(letters) == len(strangers) + 1
    whole = sorted((m for m in letters if m.key() == key), key=lambda m: m.offset() or 0)
    assert len(whole) == len(strangers)
    for offset, (letter, (value, headers)) in enumerate(zip(whole, strangers, strict=True)):
        assert letter.value() == value  # the message, whole, as it was
        got = headers_of(letter)
        kept = [(k, v) for k, v in got if not k.startswith("shopflow.errors.")]
        assert kept == [(k, v) for k, v in headers if k != "shopflow.chunk.version"]
        errors = dict(got)  # why and where, though no record identity can be read
        assert errors["shopflow.errors.codes"] == b"unparseable"
        assert errors["shopflow.errors.message"].startswith(b"not a raw chunk")
        assert errors["shopflow.errors.original.offset"] == str(offset).encode()  # first in
    [record_letter] = [m for m in letters if m.key() == b"o2"]
    assert dict(headers_of(record_letter))[H_LINE] == b"3"
    valid = read_topics(settings, [valid_topic(settings, "orders")])
    assert sorted(r.identity()[2] for r in valid) == [2, 4]  # the validator kept going
