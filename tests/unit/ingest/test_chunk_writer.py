"""The ChunkWriter: a file's records as chunks bounded by record count and bytes, each keyed
by where it starts, every record keeping its line and key."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st

from contracts.chunk import (
    CHUNK_VERSION,
    H_CHUNK_VERSION,
    FileOrigin,
    decode_chunk,
    encode_chunk,
    entry_bytes,
)
from shopflow.events import H_BATCH_ID, H_SOURCE_FILE
from shopflow.ingest.publish import ChunkWriter, read_records, record_entry
from shopflow.ingest.readers import Record
from shopflow.runtime.settings import Settings
from tests.unit.contracts.strategies import MODEST

ORIGIN = FileOrigin("b1", "orders.csv", "orders", 1, "csv", "ab" * 32)


@dataclass
class Produced:
    topic: str
    value: bytes
    key: bytes
    headers: list[tuple[str, bytes]]


@dataclass
class FakeProducer:
    sent: list[Produced] = field(default_factory=list)

    def produce(self, topic: str, value: bytes, key: bytes,
                headers: list[tuple[str, bytes]]) -> None:
        self.sent.append(Produced(topic, value, key, headers))


def write(values: list[bytes], max_records: int = 1000, max_bytes: int = 512 * 1024,
          first_line: int = 2) -> list[Produced]:
    settings = Settings(chunk_max_records=max_records, chunk_max_bytes=max_bytes)
    producer = FakeProducer()
    writer = ChunkWriter(settings, producer, "p.raw.orders", ORIGIN)  # type: ignore[arg-type]
    for line, value in enumerate(values, start=first_line):
        record = Record(line, value, {"order_id": f"o{line}"})
        writer.add(*record_entry(record, f"o{line}".encode()))
    writer.flush()
    writer.flush()  # nothing left: no empty chunk
    return producer.sent


def row(n: int, width: int = 10) -> bytes:
    return b'{"order_id":"o%d","pad":"%s"}' % (n, b"x" * width)


def test_a_chunk_holds_at_most_the_configured_number_of_records() -> None:
    sent = write([row(i) for i in range(25)], max_records=10)
    chunks = [decode_chunk(p.value) for p in sent]
    assert [len(c.records) for c in chunks] == [10, 10, 5]
    assert all(c.kind == "raw" and c.origin == ORIGIN for c in chunks)


def test_a_chunk_stays_within_the_configured_bytes() -> None:
    values = [row(i, width=300) for i in range(40)]
    sent = write(values, max_bytes=2048)
    sizes = [len(decode_chunk(p.value).records) for p in sent]
    assert sum(sizes) == 40 and len(sizes) > 1 and max(sizes) > 1
    empty = len(encode_chunk("raw", ORIGIN, []))
    for produced in sent:
        assert len(produced.value) - empty <= 2048  # the records, without the origin


def test_a_record_bigger_than_the_byte_bound_travels_alone() -> None:
    sent = write([row(1), row(2, width=5000), row(3)], max_bytes=1024)
    assert [[e["line"] for e in decode_chunk(p.value).records] for p in sent] == [
        [2], [3], [4]]


def test_chunks_are_keyed_by_where_they_start_and_carry_the_chunk_headers() -> None:
    sent = write([row(i) for i in range(7)], max_records=3)
    assert [p.key for p in sent] == [b"b1|orders.csv|2", b"b1|orders.csv|5",
                                     b"b1|orders.csv|8"]
    assert len({p.key for p in sent}) == len(sent)  # so the chunks spread over partitions
    for produced in sent:
        assert produced.topic == "p.raw.orders"
        assert dict(produced.headers) == {H_CHUNK_VERSION: b"%d" % CHUNK_VERSION,
                                          H_BATCH_ID: b"b1", H_SOURCE_FILE: b"orders.csv"}
    assert sent[0].headers is not sent[1].headers  # each message has its own list


@MODEST
@given(values=st.lists(st.binary(max_size=300), max_size=60),
       max_records=st.integers(1, 12), max_bytes=st.integers(1024, 4096))
def test_every_record_keeps_its_line_key_and_bytes_in_order(
        values: list[bytes], max_records: int, max_bytes: int) -> None:
    sent = write(values, max_records=max_records, max_bytes=max_bytes)
    entries = [e for p in sent for e in decode_chunk(p.value).records]
    assert [e["line"] for e in entries] == list(range(2, 2 + len(values)))
    assert [e["key"] for e in entries] == [f"o{line}" for line in range(2, 2 + len(values))]
    assert [entry_bytes(e) for e in entries] == values
    for produced in sent:
        records = decode_chunk(produced.value).records
        assert 1 <= len(records) <= max_records
        assert produced.key == b"b1|orders.csv|%d" % records[0]["line"]


KAFKA_MESSAGE_LIMIT = Settings().max_message_bytes  # topics are created with this limit


def test_an_unreadable_line_of_control_characters_still_fits_in_one_message() -> None:
    line = b'{"review_id": "r1", "body": "' + b"\x01" * 300_000 + b'"}\n'
    [record] = read_records(io.BytesIO(line), "jsonl", 1024 * 1024)
    assert record.error is not None  # unreadable: it travels with its bytes
    settings = Settings()
    producer = FakeProducer()
    writer = ChunkWriter(settings, producer, "p.raw.reviews", ORIGIN)  # type: ignore[arg-type]
    writer.add(*record_entry(record, None))
    writer.flush()
    assert all(len(p.value) <= KAFKA_MESSAGE_LIMIT for p in producer.sent)
