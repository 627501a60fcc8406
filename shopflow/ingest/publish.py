"""Publishing: one raw event per record, and the batch's control events."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from contracts import latest_version
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ENTITY,
    H_FILE_HASH,
    H_FORMAT,
    H_LINE,
    H_PARSE_ERROR,
    H_SOURCE_FILE,
    ControlEvent,
    encode_event,
)
from shopflow.ingest.checks import CheckedFile, open_regular
from shopflow.ingest.csvfile import CsvFile
from shopflow.ingest.jsonlfile import read_jsonl
from shopflow.ingest.keys import key_fields, key_function
from shopflow.ingest.readers import PREVIEW_BYTES, Record
from shopflow.runtime.kafka import EventProducer, Headers
from shopflow.runtime.metrics import RECORDS_OUT
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, raw_topic

# Kafka's default message size limit is 1 MB; a bigger record is sent as unreadable.
MAX_VALUE_BYTES = 900_000
_STOP_CHECK_EVERY = 10_000


class Interrupted(Exception):
    """Shutdown was requested while a file was being published."""


def emit(settings: Settings, producer: EventProducer, event: ControlEvent) -> None:
    producer.produce(control_topic(settings), encode_event(event), key=event.batch_id)


def read_records(stream: BinaryIO, file_format: str, max_line_bytes: int) -> Iterator[Record]:
    if file_format == "jsonl":
        return read_jsonl(stream, max_line_bytes)
    return iter(CsvFile(stream, max_line_bytes))


def file_headers(batch_id: str, checked: CheckedFile) -> Headers:
    data_file = checked.data_file
    return [
        (H_BATCH_ID, batch_id.encode()),
        (H_SOURCE_FILE, data_file.name.encode()),
        (H_FILE_HASH, checked.sha256.encode()),
        (H_ENTITY, data_file.entity.encode()),
        (H_CONTRACT_VERSION, str(latest_version(data_file.entity)).encode()),
        (H_FORMAT, data_file.format.encode()),
    ]


def publish_records(settings: Settings, producer: EventProducer, batch_id: str,
                    checked: CheckedFile, should_stop: Callable[[], bool]) -> int:
    """Produce every record of the file to its raw topic and wait for the acks."""
    entity = checked.data_file.entity
    topic, key_of = raw_topic(settings, entity), key_function(key_fields(entity))
    base = file_headers(batch_id, checked)
    produce = producer.produce
    count = 0
    with open_regular(Path(checked.path)) as stream:
        for record in read_records(stream, checked.data_file.format, settings.max_line_bytes):
            value, headers = raw_event(record, base)
            produce(topic, value, key_of(record.mapping), headers)
            count += 1
            if count % _STOP_CHECK_EVERY == 0 and should_stop():
                raise Interrupted(f"stopped while publishing {checked.data_file.name}")
    producer.flush()
    RECORDS_OUT.labels("ingestor", entity).inc(count)
    return count


def raw_event(record: Record, base: Headers) -> tuple[bytes, Headers]:
    """The value and headers of a record's raw event: the file's headers, its line, and
    for a record that cannot be read (or is too large to publish) why."""
    error, value = record.error, record.value
    if error is None and len(value) <= MAX_VALUE_BYTES:  # the common case, kept short
        return value, [*base, (H_LINE, b"%d" % record.line)]
    headers = [*base, (H_LINE, b"%d" % record.line)]
    if error is None:
        error = f"line {record.line}: record of {len(value)} bytes is too large to publish"
        value = value[:PREVIEW_BYTES]
    headers.append((H_PARSE_ERROR, error.encode("utf-8", "backslashreplace")))
    return value, headers
