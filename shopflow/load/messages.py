"""Sorting one consumed message batch: staging rows, dead letters, control events.

This is the loader's per-record hot path, so it does as little as possible per
message: read four headers, parse the JSON value once, pick the staging columns.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import orjson
from confluent_kafka import Message
from pydantic import ValidationError

from contracts import ENTITIES
from shopflow.events import (
    H_BATCH_ID,
    H_LINE,
    H_REPLAY_ID,
    H_SOURCE_FILE,
    BatchCompleted,
    ControlEvent,
    WarehouseBuilt,
    decode_event,
)
from shopflow.runtime.errors import MessageError
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, dlq_topic, valid_topic

log = logging.getLogger(__name__)

Row = tuple[Any, ...]
Provenance = tuple[str, str, int, str | None]  # batch_id, source_file, line, replay_id
# Control events the loader itself emits or that belong to later stages.
IGNORED_EVENTS = (BatchCompleted, WarehouseBuilt)


@dataclass
class SortedBatch:
    rows: dict[str, list[Row]] = field(default_factory=dict)  # entity -> staging rows
    dead_letters: list[Message] = field(default_factory=list)
    dead_letter_batches: set[str] = field(default_factory=set)
    dead_letter_entities: set[str] = field(default_factory=set)
    control: list[ControlEvent] = field(default_factory=list)
    unusable: list[MessageError] = field(default_factory=list)

    @property
    def record_count(self) -> int:
        return sum(len(rows) for rows in self.rows.values())


def loader_topics(settings: Settings) -> list[str]:
    valid = [valid_topic(settings, e) for e in ENTITIES]
    dlq = [dlq_topic(settings, e) for e in ENTITIES]
    return [*valid, *dlq, control_topic(settings)]


def provenance(msg: Message) -> Provenance:
    """The record's identity from its headers; MessageError when it has none."""
    headers = msg.headers() or ()
    # later duplicates win; values are bytes as the broker delivers them
    found = cast(dict[str, Any], headers if isinstance(headers, dict) else dict(headers))
    try:
        batch_id = found[H_BATCH_ID].decode()
        source_file = found[H_SOURCE_FILE].decode()
        line = int(found[H_LINE])
        replay_id = found.get(H_REPLAY_ID)
        replay = replay_id.decode() if replay_id else None
    except (KeyError, ValueError, TypeError, AttributeError):  # missing, not text, not a number
        batch_id = source_file = ""
        line, replay = 0, None
    if not batch_id or not source_file or line < 1:
        raise MessageError("record without provenance headers", topic=msg.topic(),
                           partition=msg.partition(), offset=msg.offset())
    return batch_id, source_file, line, replay


def staging_row(msg: Message, columns: Sequence[str]) -> Row:
    """Data columns taken from the canonical JSON value, then the provenance columns."""
    ident = provenance(msg)
    try:
        data = orjson.loads(msg.value() or b"")
    except orjson.JSONDecodeError as exc:
        raise MessageError(f"valid record is not JSON: {exc}", topic=msg.topic(),
                           partition=msg.partition(), offset=msg.offset()) from None
    if not isinstance(data, dict):
        raise MessageError("valid record is not a JSON object", topic=msg.topic(),
                           partition=msg.partition(), offset=msg.offset())
    return (*map(data.get, columns), *ident)


class MessageSorter:
    """Knows which topic is which and the staging columns of each entity."""

    def __init__(self, settings: Settings, columns: Mapping[str, Sequence[str]]) -> None:
        self._columns = columns
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
            row = staging_row(msg, self._columns[entity])
            out.rows.setdefault(entity, []).append(row)
        elif topic in self._dlq:
            batch_id = provenance(msg)[0]
            out.dead_letters.append(msg)
            out.dead_letter_batches.add(batch_id)
            out.dead_letter_entities.add(self._dlq[topic])
        elif topic == self._control:
            event = control_event(msg)
            if not isinstance(event, IGNORED_EVENTS):
                out.control.append(event)
        else:
            raise MessageError("message from a topic the loader does not read", topic=topic,
                               partition=msg.partition(), offset=msg.offset())


def control_event(msg: Message) -> ControlEvent:
    try:
        return decode_event(msg.value() or b"")
    except (ValueError, ValidationError) as exc:
        raise MessageError(f"unreadable control event: {exc}", topic=msg.topic(),
                           partition=msg.partition(), offset=msg.offset()) from None
