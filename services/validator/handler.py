"""The validator's batch handler: each raw chunk's records go to a valid chunk or, one by
one, to the dead letters; then everything is flushed.

The loop stores offsets only after `handle` returned, i.e. after the broker acknowledged
every produced message; nothing here assumes it is the only validator process.
"""

from __future__ import annotations

import logging
from collections import Counter

from confluent_kafka import KafkaException, Message

from contracts import ErrorCode, FieldError, canonical_json
from contracts.chunk import (
    CHUNK_VERSION,
    H_CHUNK_VERSION,
    Chunk,
    ChunkError,
    Envelope,
    RecordEntry,
    decode_chunk,
    encode_valid_chunk,
    entry_bytes,
    valid_entry_bytes,
)
from services.validator.checking import decide
from shopflow.letters import Where, dead_letter_headers, failure_time, message_error_headers
from shopflow.runtime.errors import MessageError
from shopflow.runtime.kafka import EventProducer, Headers
from shopflow.runtime.metrics import RECORDS_IN, RECORDS_OUT, RECORDS_REJECTED
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, entity_of, valid_topic

log = logging.getLogger(__name__)
SERVICE = "validator"
_CHUNK_HEADERS = [(H_CHUNK_VERSION, b"%d" % CHUNK_VERSION)]


class Validator:
    def __init__(self, settings: Settings, producer: EventProducer) -> None:
        self._settings, self._producer = settings, producer
        self._in: Counter[str] = Counter()
        self._out: Counter[str] = Counter()
        self._rejected: Counter[tuple[str, str]] = Counter()
        self._topics: dict[str, tuple[str, str, str]] = {}

    def handle(self, messages: list[Message]) -> None:
        """Route every chunk, then wait for the broker's acks (DeliveryError)."""
        self._in.clear()
        self._out.clear()
        self._rejected.clear()
        now = failure_time()
        for msg in messages:
            self._route_chunk(msg, now)
        self._producer.flush()
        self._publish_metrics()

    def _route_chunk(self, msg: Message, now: str) -> None:
        entity, valid, dlq = self._topics_for(msg.topic() or "")
        try:
            chunk = decode_chunk(msg.value())
            if chunk.kind != "raw" or chunk.origin.entity != entity:
                raise ChunkError(f"a {chunk.kind} chunk of {chunk.origin.entity!r} "
                                 f"on the raw topic of {entity!r}")
        except ChunkError as exc:
            self._not_a_chunk(msg, dlq, entity, str(exc), now)
            return
        self._in[entity] += len(chunk.records)
        out = ValidChunkWriter(self._producer, valid, msg.key(), chunk,
                               self._settings.chunk_max_bytes)
        version = chunk.origin.contract_version
        for position, entry in enumerate(chunk.records):
            outcome = decide(entity, entry, version)
            if outcome.ok and outcome.model is not None:
                try:
                    out.add(entry, canonical_json(outcome.model))
                    continue
                except (ValueError, TypeError) as exc:
                    errors = [FieldError(ErrorCode.UNPARSEABLE, None,
                                         f"the canonical record cannot be written: {exc}")]
            else:
                errors = outcome.errors
            self._dead_letter(msg, dlq, chunk, position, entry, errors, now)
        out.flush()
        self._out[entity] += out.records

    def _topics_for(self, raw_topic: str) -> tuple[str, str, str]:
        """(entity, valid topic, dead-letter topic) of a raw topic, worked out once."""
        known = self._topics.get(raw_topic)
        if known is None:
            entity = entity_of(raw_topic)
            known = (entity, valid_topic(self._settings, entity),
                     dlq_topic(self._settings, entity))
            self._topics[raw_topic] = known
        return known

    def _dead_letter(self, msg: Message, dlq: str, chunk: Chunk, position: int,
                     entry: RecordEntry, errors: list[FieldError], now: str) -> None:
        envelope = Envelope.of_entry(chunk.origin, entry)
        where = Where(msg.topic() or "", msg.partition(), msg.offset(), position)
        headers = dead_letter_headers(envelope, where, errors, now)
        try:
            self._producer.produce(dlq, entry_bytes(entry), envelope.key, headers)
        except KafkaException as exc:
            error = MessageError(f"cannot dead-letter line {entry['line']}: {exc}",
                                 topic=msg.topic(), partition=msg.partition(),
                                 offset=msg.offset())
            log.error("record dropped", extra={"error": str(error)})
            return
        for code in dict.fromkeys(error.code.value for error in errors):
            self._rejected[(chunk.origin.entity, code)] += 1

    def _not_a_chunk(self, msg: Message, dlq: str, entity: str, reason: str,
                     now: str) -> None:
        """A message no record can be read from: parked whole with why and where, without
        a record identity (the ledger cannot count it; the error log says where it is)."""
        error = MessageError(f"not a raw chunk: {reason}", topic=msg.topic(),
                             partition=msg.partition(), offset=msg.offset())
        log.error("unreadable message dead-lettered whole", extra={"error": str(error)})
        kept = [(k, v) for k, v in _header_list(msg) if k != H_CHUNK_VERSION]
        where = Where(msg.topic() or "", msg.partition(), msg.offset())
        headers = [*kept, *message_error_headers(where, f"not a raw chunk: {reason}", now)]
        self._producer.produce(dlq, msg.value(), msg.key(), headers)
        self._rejected[(entity, ErrorCode.UNPARSEABLE.value)] += 1

    def _publish_metrics(self) -> None:
        for entity, n in self._in.items():
            RECORDS_IN.labels(SERVICE, entity).inc(n)
        for entity, n in self._out.items():
            RECORDS_OUT.labels(SERVICE, entity).inc(n)
        for (entity, code), n in self._rejected.items():
            RECORDS_REJECTED.labels(SERVICE, entity, code).inc(n)


class ValidChunkWriter:
    """The valid records of one raw chunk, produced as one valid chunk (or a few, when the
    canonical form outgrows the byte bound)."""

    def __init__(self, producer: EventProducer, topic: str, key: bytes | None, chunk: Chunk,
                 max_bytes: int) -> None:
        self._producer, self._topic, self._key, self._origin = producer, topic, key, chunk.origin
        self._max_bytes = max_bytes
        self._entries: list[bytes] = []
        self._bytes = 0
        self.records = 0

    def add(self, entry: RecordEntry, canonical: bytes) -> None:
        key = entry.get("key")
        encoded = valid_entry_bytes(entry["line"], None if key is None else key.encode(),
                                    canonical, entry.get("replay"))
        if self._entries and self._bytes + len(encoded) > self._max_bytes:
            self.flush()
        self._entries.append(encoded)
        self._bytes += len(encoded)
        self.records += 1

    def flush(self) -> None:
        if self._entries:
            self._producer.produce(self._topic, encode_valid_chunk(self._origin, self._entries),
                                   self._key, list(_CHUNK_HEADERS))
            self._entries, self._bytes = [], 0


def _header_list(msg: Message) -> Headers:
    headers = msg.headers() or []
    return list(headers.items() if isinstance(headers, dict) else headers)
