"""Sorting one consumed message batch: valid chunks, dead letters, control events.

A valid-topic message is a chunk (contracts/chunk.py): the canonical records of one
source file. The loader does not take chunks apart in Python: PostgreSQL parses them
(shopflow.load.staging). Python only makes sure, once per chunk, that PostgreSQL will
never see a structurally broken one (not JSON, another version or kind, an origin
that is incomplete, holds a NUL or names another entity, an entry that is not an object
or has no integer line number); such a message is reported as a MessageError and
skipped. An entry that is a chunk entry but one the database cannot store (its line
number outside 1..2^31-1, no record object) is noted on the chunk: that record becomes
a dead letter (shopflow.load.refusals) and the chunk's other records load.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson
from confluent_kafka import Message
from pydantic import ValidationError

from contracts import ENTITIES
from contracts.chunk import CHUNK_VERSION, MAX_LINE, FileOrigin
from shopflow.events import (
    BatchCompleted,
    ControlEvent,
    WarehouseBuilt,
    decode_event,
    envelope_from_headers,
    header_map,
)
from shopflow.runtime.errors import MessageError
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, dlq_topic, valid_topic

log = logging.getLogger(__name__)

# Control events the loader itself emits or that belong to later stages.
IGNORED_EVENTS = (BatchCompleted, WarehouseBuilt)


@dataclass(frozen=True, slots=True)
class ValidChunk:
    """A checked valid chunk: its origin, how many records it holds, its bytes as read,
    where it was read, and the entries (position, reason) the database cannot store."""

    origin: FileOrigin
    records: int
    value: bytes
    topic: str = ""
    partition: int = 0
    offset: int = 0
    problems: tuple[tuple[int, str], ...] = ()


@dataclass
class SortedBatch:
    chunks: dict[str, list[ValidChunk]] = field(default_factory=dict)  # entity -> chunks
    dead_letters: list[Message] = field(default_factory=list)
    dead_letter_batches: set[str] = field(default_factory=set)
    dead_letter_entities: set[str] = field(default_factory=set)
    control: list[ControlEvent] = field(default_factory=list)
    unusable: list[MessageError] = field(default_factory=list)

    def records_by_entity(self) -> Counter[str]:
        return Counter({e: sum(c.records for c in cs) for e, cs in self.chunks.items()})

    @property
    def record_count(self) -> int:
        return sum(self.records_by_entity().values())

    @property
    def batch_ids(self) -> set[str]:
        return {c.origin.batch_id for cs in self.chunks.values() for c in cs}


def loader_topics(settings: Settings) -> list[str]:
    valid = [valid_topic(settings, e) for e in ENTITIES]
    dlq = [dlq_topic(settings, e) for e in ENTITIES]
    return [*valid, *dlq, control_topic(settings)]


def _error(msg: Message, text: str) -> MessageError:
    return MessageError(text, topic=msg.topic(), partition=msg.partition(), offset=msg.offset())


def check_valid_chunk(msg: Message, entity: str) -> ValidChunk:
    """The message as a valid chunk of `entity`; MessageError when it is not one.

    One orjson parse per chunk and a type check per entry (~0.5-0.8 us per record,
    about half of what contracts.chunk.decode_chunk costs; docs/decisions/0052).
    """
    value = msg.value()
    if not value:
        raise _error(msg, "not a valid chunk: the message has no value")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise _error(msg, f"not a valid chunk: not JSON: {exc}") from None
    if type(data) is not dict or data.get("v") != CHUNK_VERSION or data.get("kind") != "valid":
        raise _error(msg, f"not a version {CHUNK_VERSION} valid chunk")
    origin = _origin(msg, data.get("origin"))
    if origin.entity != entity:
        raise _error(msg, f"a chunk of {origin.entity!r} on the valid topic of {entity!r}")
    records = data.get("records")
    if type(records) is not list:
        raise _error(msg, "not a valid chunk: records is not a list")
    problems: list[tuple[int, str]] = []
    for position, entry in enumerate(records):
        if type(entry) is not dict:
            raise _error(msg, f"chunk entry {position} is not an object")
        line = entry.get("line")
        if type(line) is not int:
            raise _error(msg, f"chunk entry {position} has no integer line number")
        problem = entry_problem(line, entry.get("record"))
        if problem is not None:
            problems.append((position, problem))
    return ValidChunk(origin, len(records), value, msg.topic() or "", msg.partition() or 0,
                      msg.offset() or 0, tuple(problems))


def entry_problem(line: int, record: Any) -> str | None:
    """Why the database cannot store this chunk entry (None: nothing Python can see)."""
    if not 0 < line <= MAX_LINE:
        return (f"line number {line} is outside 1..{MAX_LINE}, the line numbers "
                "PostgreSQL can store")
    if type(record) is not dict:
        return "the chunk entry has no record object"
    return None


def _origin(msg: Message, data: Any) -> FileOrigin:
    if type(data) is not dict:
        raise _error(msg, "not a valid chunk: no origin")
    batch_id, source_file = data.get("batch_id"), data.get("source_file")
    if type(batch_id) is not str or type(source_file) is not str or not batch_id \
            or not source_file:
        raise _error(msg, "chunk origin without batch id or source file")
    if any(type(v) is str and "\x00" in v for v in data.values()):
        raise _error(msg, "chunk origin holds a NUL character")
    version = data.get("contract_version")
    return FileOrigin(batch_id, source_file, str(data.get("entity")),
                      version if type(version) is int else 0,
                      str(data.get("file_format") or ""), data.get("file_sha256"))


class MessageSorter:
    """Knows which topic is which."""

    def __init__(self, settings: Settings) -> None:
        self._valid = {valid_topic(settings, e): e for e in ENTITIES}
        self._dlq = {dlq_topic(settings, e): e for e in ENTITIES}
        self._control = control_topic(settings)

    def sort(self, messages: Iterable[Message]) -> SortedBatch:
        out = SortedBatch()
        for msg in messages:
            try:
                self._sort_one(msg, out)
            except MessageError as exc:
                out.unusable.append(exc)
        return out

    def _sort_one(self, msg: Message, out: SortedBatch) -> None:
        topic = msg.topic() or ""
        entity = self._valid.get(topic)
        if entity is not None:
            chunk = check_valid_chunk(msg, entity)
            if chunk.records:
                out.chunks.setdefault(entity, []).append(chunk)
        elif topic in self._dlq:
            headers = header_map(msg.headers())  # type: ignore[arg-type]
            try:
                envelope = envelope_from_headers(headers, self._dlq[topic])
            except ValueError as exc:
                raise _error(msg, f"dead letter not recorded: {exc}") from None
            out.dead_letters.append(msg)
            out.dead_letter_batches.add(envelope.origin.batch_id)
            out.dead_letter_entities.add(self._dlq[topic])
        elif topic == self._control:
            event = control_event(msg)
            if not isinstance(event, IGNORED_EVENTS):
                out.control.append(event)
        else:
            raise _error(msg, "message from a topic the loader does not read")


def control_event(msg: Message) -> ControlEvent:
    try:
        return decode_event(msg.value() or b"")
    except (ValueError, ValidationError) as exc:
        raise _error(msg, f"unreadable control event: {exc}") from None
