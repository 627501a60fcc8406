"""Helpers for the front-half integration tests: real broker, real database, no fakes."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaException,
    Message,
    TopicPartition,
)

from contracts import ENTITIES
from contracts.chunk import H_CHUNK_VERSION, Envelope, decode_chunk, entry_bytes
from services.validator.handler import Validator
from shopflow.events import (
    H_PARSE_ERROR,
    ControlEvent,
    decode_event,
    envelope_headers,
    header_map,
)
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import (
    all_topics,
    control_topic,
    create_topics,
    dlq_topic,
    raw_topic,
    valid_topic,
)


@dataclass(frozen=True)
class Rec:
    """One record as a test sees it: a per-record message (dead letters, control events)
    or one record of a chunk, with its envelope as headers, its original bytes (raw) or
    canonical JSON (valid) as value, and `position` inside the chunk message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]
    raw_headers: list[tuple[str, bytes]]
    position: int | None = None

    def identity(self) -> tuple[str, str, int]:
        h = self.headers
        return (h["shopflow.batch_id"], h["shopflow.source_file"], int(h["shopflow.line_number"]))


def _consumer(settings: Settings) -> Consumer:
    return Consumer({"bootstrap.servers": settings.kafka_bootstrap,
                     "group.id": f"test-reader-{uuid.uuid4().hex}",
                     "enable.auto.commit": False, "enable.partition.eof": False})


def prepare_topics(settings: Settings) -> None:
    """Create this test's topics and wait until every partition's leader serves it.

    A leader in the metadata is not enough: for up to a second or so after that the broker
    answers NOT_LEADER for a partition whose log it has not created yet, and a produce then
    (retried by librdkafka) is what lets a later request's success "implicitly ack" an
    earlier one that was never written (docs/decisions/0084). The tests want to exercise
    the platform on ready topics, so they wait until each partition answers a ListOffsets
    request, which the broker serves only from the partition's leader log."""
    create_topics(settings)  # returns once the metadata names a leader for each partition
    wait_served(settings, sorted(all_topics(settings)))


def wait_served(settings: Settings, topics: list[str]) -> None:
    """Return once every partition of the topics answers ListOffsets from its leader."""
    consumer = _consumer(settings)
    try:
        for topic in topics:
            for p in range(settings.topic_partitions):
                _watermarks(consumer, topic, p)  # retries NOT_LEADER until the log is there
    finally:
        consumer.close()


def _watermarks(consumer: Consumer, topic: str, partition: int) -> tuple[int, int]:
    for attempt in range(50):
        try:
            return consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
        except KafkaException:
            if attempt == 49:
                raise
            time.sleep(0.2)  # leadership still settling right after creation
    raise AssertionError("unreachable")


def topic_size(settings: Settings, topics: list[str]) -> int:
    consumer = _consumer(settings)
    try:
        total = 0
        for topic in topics:
            for p in range(settings.topic_partitions):
                low, high = _watermarks(consumer, topic, p)
                total += high - low
        return total
    finally:
        consumer.close()


def group_lag(settings: Settings, group_id: str, topics: list[str]) -> int:
    """Messages in the topics that the group has not committed yet."""
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": group_id,
                         "enable.auto.commit": False})
    try:
        parts = [TopicPartition(t, p) for t in topics for p in range(settings.topic_partitions)]
        committed = {(tp.topic, tp.partition): tp.offset
                     for tp in consumer.committed(parts, timeout=10)}
        lag = 0
        for topic, partition in committed:
            low, high = _watermarks(consumer, topic, partition)
            done = committed[(topic, partition)]
            lag += high - (done if done >= 0 else low)
        return lag
    finally:
        consumer.close()


def read_topics(settings: Settings, topics: list[str], timeout: float = 30) -> list[Rec]:
    """Every message currently in the topics (up to their high watermarks)."""
    found = []
    for m in read_messages(settings, topics, timeout):
        raw = headers_of(m)
        if H_CHUNK_VERSION in dict(raw):
            found.extend(chunk_records(m))
        else:
            found.append(Rec(m.topic() or "", m.partition() or 0, m.offset() or 0, m.key(),
                             m.value(), header_map(raw), raw))
    return found


def headers_of(msg: Message) -> list[tuple[str, bytes]]:
    return [(k, v if isinstance(v, bytes) else (v or "").encode())
            for k, v in msg.headers() or []]


def chunk_records(msg: Message) -> list[Rec]:
    """The records of a chunk message, each with its envelope written as headers."""
    chunk = decode_chunk(msg.value())
    out = []
    for position, entry in enumerate(chunk.records):
        envelope = Envelope.of_entry(chunk.origin, entry)
        raw = envelope_headers(envelope)
        if "error" in entry:
            raw.append((H_PARSE_ERROR, entry["error"].encode()))
        value = orjson.dumps(entry["record"]) if "record" in entry else entry_bytes(entry)
        out.append(Rec(msg.topic() or "", msg.partition() or 0, msg.offset() or 0,
                       envelope.key, value, header_map(raw), raw, position))
    return out


def chunk_count(settings: Settings, topics: list[str]) -> int:
    """Records in the chunk messages of these topics (per-record messages count one)."""
    return len(read_topics(settings, topics))


def read_messages(settings: Settings, topics: list[str], timeout: float = 30) -> list[Message]:
    """The client's own Message objects, as a consumer (e.g. the loader) gets them."""
    consumer = _consumer(settings)
    try:
        ends, parts = {}, []
        for topic in topics:
            for p in range(settings.topic_partitions):
                _, high = _watermarks(consumer, topic, p)
                if high > 0:
                    ends[(topic, p)] = high
                    parts.append(TopicPartition(topic, p, OFFSET_BEGINNING))
        if not parts:
            return []
        consumer.assign(parts)
        found: list[Message] = []
        deadline = time.monotonic() + timeout
        while ends and time.monotonic() < deadline:
            for msg in consumer.consume(1000, 0.5):
                if msg.error():
                    continue
                found.append(msg)
                where = (msg.topic() or "", msg.partition() or 0)
                if (msg.offset() or 0) + 1 >= ends.get(where, 0):
                    ends.pop(where, None)
        assert not ends, f"could not read to the end of {sorted(ends)}"
        return found
    finally:
        consumer.close()


def raw_topics(settings: Settings) -> list[str]:
    return [raw_topic(settings, e) for e in ENTITIES]


def output_topics(settings: Settings) -> list[str]:
    return [t for e in ENTITIES for t in (valid_topic(settings, e), dlq_topic(settings, e))]


def control_events(settings: Settings) -> list[ControlEvent]:
    records = sorted(read_topics(settings, [control_topic(settings)]),
                     key=lambda r: (r.partition, r.offset))
    return [decode_event(r.value or b"") for r in records]


def wait_until(condition: Callable[[], bool], timeout: float = 60, what: str = "",
               poll: float = 0.2) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what or condition}"
        time.sleep(poll)


def run_validator(settings: Settings, expected_outputs: int, timeout: float = 60) -> None:
    """The validator's handler in-process, in its real consumer group, until all is out."""
    validate_until(settings,
                   lambda: chunk_count(settings, output_topics(settings)) >= expected_outputs,
                   timeout)


def validate_until(settings: Settings, done: Callable[[], bool], timeout: float = 60) -> None:
    """The validator's handler in-process, in its real consumer group, until `done()`."""
    producer = EventProducer(settings)
    validator = Validator(settings, producer)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.validator",
                             raw_topics(settings), "validator")
    deadline = time.monotonic() + timeout
    try:
        while not done():
            assert time.monotonic() < deadline, "validator did not catch up"
            batch = consumer.poll_batch(timeout=0.5)
            if batch:
                validator.handle(batch)
                consumer.store(batch)
    finally:
        consumer.close()
