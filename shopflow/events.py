"""Event vocabulary shared by every service: record headers and control events.

Record events (raw.*, valid.*, dlq.*) carry their provenance in headers named
below; control events (control.batches, keyed by batch id) are JSON objects with
a past-tense ``type``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from contracts.chunk import MAX_LINE, Envelope, FileOrigin, ReplayMark

# Provenance headers, set by the ingestor and carried through every stage.
H_BATCH_ID = "shopflow.batch_id"
H_SOURCE_FILE = "shopflow.source_file"
H_LINE = "shopflow.line_number"
H_FILE_HASH = "shopflow.file_sha256"
H_ENTITY = "shopflow.entity"
H_CONTRACT_VERSION = "shopflow.contract_version"
H_FORMAT = "shopflow.format"  # "csv" or "jsonl": how the value was read
H_PARSE_ERROR = "shopflow.parse_error"  # set when the ingestor could not read the record
H_REPLAY_ID = "shopflow.replay_id"  # set on records re-submitted from the dead letters

# Dead-letter headers, after Kafka Connect's __connect.errors.* family.
H_ERR_CODES = "shopflow.errors.codes"  # comma-separated ErrorCode values
H_ERR_FIELD = "shopflow.errors.field"  # first failing field
H_ERR_MESSAGE = "shopflow.errors.message"  # first error's message
H_ERR_DETAIL = "shopflow.errors.detail"  # JSON list of {code, field, message}
H_ERR_COUNT = "shopflow.errors.count"  # how many errors the record has
H_ERR_DETAIL_CUT = "shopflow.errors.detail_truncated"  # "true": detail lists only the first
H_ERR_CONTRACT_VERSION = "shopflow.errors.contract_version"
H_ERR_ORIG_TOPIC = "shopflow.errors.original.topic"
H_ERR_ORIG_PARTITION = "shopflow.errors.original.partition"
H_ERR_ORIG_OFFSET = "shopflow.errors.original.offset"
H_ERR_ATTEMPT = "shopflow.errors.attempt"
H_ERR_FIRST_FAILED_AT = "shopflow.errors.first_failed_at"
H_ERR_ORIG_POSITION = "shopflow.errors.original.position"  # the record's index in its chunk


def header_map(headers: list[tuple[str, bytes]] | None) -> dict[str, str]:
    """Kafka headers as text; later duplicates win."""
    return {k: _text(v) for k, v in headers or []}


def _text(value: str | bytes | None) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def envelope_headers(envelope: Envelope) -> list[tuple[str, bytes]]:
    """The headers a per-record message (a dead letter) carries its envelope in."""
    origin = envelope.origin
    headers = [
        (H_BATCH_ID, origin.batch_id.encode()),
        (H_SOURCE_FILE, origin.source_file.encode()),
        (H_LINE, b"%d" % envelope.line),
        (H_ENTITY, origin.entity.encode()),
        (H_CONTRACT_VERSION, b"%d" % origin.contract_version),
        (H_FORMAT, origin.file_format.encode()),
    ]
    if origin.file_sha256:
        headers.append((H_FILE_HASH, origin.file_sha256.encode()))
    if envelope.replay is not None:
        headers.append((H_REPLAY_ID, envelope.replay["replay_id"].encode()))
    return headers


def envelope_from_headers(headers: dict[str, str], fallback_entity: str = "") -> Envelope:
    """The envelope of a per-record message; ValueError when its identity is incomplete."""
    line = headers.get(H_LINE, "")
    batch_id, source_file = headers.get(H_BATCH_ID), headers.get(H_SOURCE_FILE)
    if not batch_id or not source_file or not (line.isascii() and line.isdigit()) \
            or not 1 <= int(line) <= MAX_LINE:
        raise ValueError("the message has no complete provenance (batch, file, line)")
    version = headers.get(H_CONTRACT_VERSION, "")
    origin = FileOrigin(batch_id, source_file, headers.get(H_ENTITY) or fallback_entity,
                        int(version) if version.isascii() and version.isdigit() else 0,
                        headers.get(H_FORMAT) or "", headers.get(H_FILE_HASH) or None)
    replay_id = headers.get(H_REPLAY_ID)
    replay = None if not replay_id else ReplayMark(
        replay_id=replay_id, attempt=_attempt(headers.get(H_ERR_ATTEMPT)),
        first_failed_at=headers.get(H_ERR_FIRST_FAILED_AT, ""))
    return Envelope(origin, int(line), None, replay)


def _attempt(text: str | None) -> int:
    return int(text) if text and text.isascii() and text.isdigit() else 0


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    batch_id: str
    occurred_at: datetime = Field(default_factory=utcnow)


class BatchOpened(_Event):
    type: Literal["BatchOpened"] = "BatchOpened"
    business_date: str | None = None
    files: list[str]


class FilePublished(_Event):
    type: Literal["FilePublished"] = "FilePublished"
    file: str
    entity: str
    sha256: str
    records: int


class FileQuarantined(_Event):
    type: Literal["FileQuarantined"] = "FileQuarantined"
    file: str
    entity: str | None
    code: str
    reason: str


class FileSkipped(_Event):
    """The same content was published before (same SHA-256): not published again."""

    type: Literal["FileSkipped"] = "FileSkipped"
    file: str
    entity: str | None
    sha256: str
    first_batch_id: str


class BatchPublished(_Event):
    type: Literal["BatchPublished"] = "BatchPublished"
    business_date: str | None = None
    files_published: int
    records: int


class BatchCompleted(_Event):
    """Every record of the batch is loaded or rejected; sequence 1 is the first completion,
    later sequences follow replays that added records to an already completed batch."""

    type: Literal["BatchCompleted"] = "BatchCompleted"
    sequence: int = 1
    business_date: str | None = None
    loaded: int
    rejected: int
    dates: list[str] = Field(default_factory=list)


class WarehouseBuilt(_Event):
    type: Literal["WarehouseBuilt"] = "WarehouseBuilt"
    build_id: int
    status: str
    seconds: float
    stats: dict[str, Any] = Field(default_factory=dict)


ControlEvent = Annotated[
    BatchOpened | FilePublished | FileQuarantined | FileSkipped | BatchPublished
    | BatchCompleted | WarehouseBuilt,
    Field(discriminator="type"),
]
_control_adapter: TypeAdapter[ControlEvent] = TypeAdapter(ControlEvent)


def encode_event(event: _Event) -> bytes:
    return event.model_dump_json().encode()


def decode_event(raw: bytes) -> ControlEvent:
    return _control_adapter.validate_python(json.loads(raw))
