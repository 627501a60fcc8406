"""Publishing: a file's records as chunks on the entity's raw topic, and control events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from contracts import latest_version
from contracts.chunk import (
    CHUNK_VERSION,
    H_CHUNK_VERSION,
    FileOrigin,
    RecordEntry,
    chunk_key,
    encode_chunk,
    raw_entry,
)
from shopflow.events import H_BATCH_ID, H_SOURCE_FILE, ControlEvent, encode_event
from shopflow.ingest.checks import CheckedFile, open_regular
from shopflow.ingest.csvfile import CsvFile
from shopflow.ingest.jsonlfile import read_jsonl
from shopflow.ingest.keys import key_fields, key_function
from shopflow.ingest.readers import PREVIEW_BYTES, Record
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.metrics import RECORDS_OUT
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, raw_topic

# Topics are created with max.message.bytes = settings.max_message_bytes (8 MiB): a record
# whose text, escaped into the chunk's JSON, would not fit in 7 MiB is sent as unreadable
# with a preview. With the default line limit (1 MiB) every record fits whole.
MAX_VALUE_BYTES = 7 * 1024 * 1024
_STOP_CHECK_EVERY = 10_000


class Interrupted(Exception):
    """Shutdown was requested while a file was being published."""


def emit(settings: Settings, producer: EventProducer, event: ControlEvent) -> None:
    producer.produce(control_topic(settings), encode_event(event), key=event.batch_id)


def read_records(stream: BinaryIO, file_format: str, max_line_bytes: int) -> Iterator[Record]:
    if file_format == "jsonl":
        return read_jsonl(stream, max_line_bytes)
    return iter(CsvFile(stream, max_line_bytes))


def file_origin(batch_id: str, checked: CheckedFile) -> FileOrigin:
    data_file = checked.data_file
    return FileOrigin(batch_id, data_file.name, data_file.entity,
                      latest_version(data_file.entity), data_file.format, checked.sha256)


class ChunkWriter:
    """Collects a file's record entries and produces them as chunks of bounded size."""

    def __init__(self, settings: Settings, producer: EventProducer, topic: str,
                 origin: FileOrigin) -> None:
        self._producer, self._topic, self.origin = producer, topic, origin
        self._max_records, self._max_bytes = settings.chunk_max_records, settings.chunk_max_bytes
        self._headers = [(H_CHUNK_VERSION, b"%d" % CHUNK_VERSION),
                         (H_BATCH_ID, origin.batch_id.encode()),
                         (H_SOURCE_FILE, origin.source_file.encode())]
        self._entries: list[RecordEntry] = []
        self._bytes = 0

    def add(self, entry: RecordEntry, size: int) -> None:
        if self._entries and self._bytes + size > self._max_bytes:
            self.flush()
        self._entries.append(entry)
        self._bytes += size
        if len(self._entries) >= self._max_records:
            self.flush()

    def flush(self) -> None:
        if not self._entries:
            return
        value = encode_chunk("raw", self.origin, self._entries)
        key = chunk_key(self.origin, self._entries[0]["line"])
        self._producer.produce(self._topic, value, key, list(self._headers))
        self._entries, self._bytes = [], 0


def publish_records(settings: Settings, producer: EventProducer, batch_id: str,
                    checked: CheckedFile, should_stop: Callable[[], bool]) -> int:
    """Produce every record of the file to its raw topic, in chunks; the caller flushes
    (once per batch) before it records the file as published."""
    entity = checked.data_file.entity
    key_of = key_function(key_fields(entity))
    writer = ChunkWriter(settings, producer, raw_topic(settings, entity),
                         file_origin(batch_id, checked))
    count = 0
    with open_regular(Path(checked.path)) as stream:
        for record in read_records(stream, checked.data_file.format, settings.max_line_bytes):
            writer.add(*record_entry(record, key_of(record.mapping)))
            count += 1
            if count % _STOP_CHECK_EVERY == 0 and should_stop():
                raise Interrupted(f"stopped while publishing {checked.data_file.name}")
    writer.flush()
    RECORDS_OUT.labels("ingestor", entity).inc(count)
    return count


_CONTROL_BYTES = bytes(range(32))


def escaped_size(value: bytes) -> int:
    """At most what a record's text takes inside the chunk's JSON, plus its line and key:
    quotes and backslashes double, a control character may become \\u00XX (6 bytes), and
    bytes that are not UTF-8 go as base64 (4/3, counted by the control margin rarely)."""
    controls = len(value) - len(value.translate(None, _CONTROL_BYTES))
    escaped = len(value) + value.count(b'"') + value.count(b"\\") + 5 * controls
    return max(escaped, len(value) * 4 // 3 + 4) + 64


def json_text_size(value: bytes) -> int:
    """escaped_size of text that parsed as JSON: UTF-8, and the only control characters
    are whitespace between tokens (a JSON string holds none raw), which escape to 2 bytes."""
    return len(value) + value.count(b'"') + value.count(b"\\") + value.count(b"\t") + 64


def record_entry(record: Record, key: bytes | None) -> tuple[RecordEntry, int]:
    """A record's raw chunk entry (its line, key and bytes, and for a record that cannot be
    read, or is too large to publish, why) and at most its size in the chunk."""
    error, value = record.error, record.value
    size = json_text_size(value) if error is None else escaped_size(value)
    if size > MAX_VALUE_BYTES:
        reason = f"line {record.line}: record of {len(value)} bytes is too large to publish"
        error = reason if error is None else f"{error}; {reason}"
        value = value[:PREVIEW_BYTES]
        size = escaped_size(value)
    return raw_entry(record.line, key, value, error), size
