"""The chunk: how records travel on the raw and valid topics (a public, versioned format).

One Kafka message on ``<p>.raw.<entity>`` or ``<p>.valid.<entity>`` holds a run of
records of ONE source file. Its value is UTF-8 JSON (schema:
contracts/schemas/chunk/v1.json, written by contracts.export)::

    {"v": 1, "kind": "raw",
     "origin": {"batch_id": "2026-01-31", "source_file": "orders.csv", "entity": "orders",
                "contract_version": 1, "file_format": "csv", "file_sha256": "ab12..."},
     "records": [
       {"line": 2, "key": "o-1", "value": "{\\"order_id\\":\\"o-1\\", ...}"},
       {"line": 9, "key": null, "value_b64": "bm90IHV0Zi04IP8=", "error": "line 9: ..."},
       {"line": 4, "key": "o-7", "value": "{...}",
        "replay": {"replay_id": "replay-...", "attempt": 1, "first_failed_at": "..."}}]}

- ``origin`` says where every record of the chunk was read; a record's identity is
  ``(origin.batch_id, origin.source_file, line)`` (docs/decisions/0002).
- raw records carry the record as read: ``value`` is its original text (the JSON
  line, or a CSV row as a JSON object of its cells); a record the ingestor could not
  read has ``error`` and its bytes in ``value`` or, when they are not UTF-8,
  base64 in ``value_b64``.
- valid records (``"kind": "valid"``) carry ``record``: the canonical JSON object of
  the contract model (contracts.canonical) instead of ``value``.
- ``replay`` is present on records re-submitted from the dead letters.
- ``key`` is the record's own Kafka key (its partition-key fields joined by "|"); a
  dead letter is produced with it. The chunk message itself is keyed by
  ``batch_id|source_file|first line``, so the chunks of a file spread over partitions.

Readers must refuse a chunk whose ``v`` they do not know. A new version may add
optional members; consumers ignore members they do not know.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple, NotRequired

import orjson
from pydantic import Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

CHUNK_VERSION = 1
H_CHUNK_VERSION = "shopflow.chunk.version"  # on every chunk message: b"1"
ChunkKind = Literal["raw", "valid"]


class ChunkError(ValueError):
    """The bytes are not a chunk this code can read."""


class ReplayMark(TypedDict):
    replay_id: str
    attempt: int
    first_failed_at: str


class OriginDict(TypedDict):
    batch_id: str
    source_file: str
    entity: str
    contract_version: int
    file_format: Literal["csv", "jsonl"]
    file_sha256: NotRequired[str | None]


MAX_LINE = 2**31 - 1  # line numbers are stored as PostgreSQL integers


class RecordEntry(TypedDict):
    line: Annotated[int, Field(ge=1, le=MAX_LINE)]
    key: NotRequired[str | None]
    value: NotRequired[str]
    value_b64: NotRequired[str]
    error: NotRequired[str]
    record: NotRequired[dict[str, Any]]
    replay: NotRequired[ReplayMark]


class ChunkDict(TypedDict):
    v: Literal[1]
    kind: ChunkKind
    origin: OriginDict
    records: list[RecordEntry]


CHUNK_ADAPTER: TypeAdapter[ChunkDict] = TypeAdapter(ChunkDict)


@dataclass(frozen=True, slots=True)
class FileOrigin:
    """Where a run of records was read: the part of the envelope a chunk shares."""

    batch_id: str
    source_file: str
    entity: str
    contract_version: int
    file_format: str
    file_sha256: str | None = None

    @property
    def file_key(self) -> tuple[str, str]:
        return (self.batch_id, self.source_file)

    def as_dict(self) -> OriginDict:
        return OriginDict(batch_id=self.batch_id, source_file=self.source_file,
                          entity=self.entity, contract_version=self.contract_version,
                          file_format=self.file_format,  # type: ignore[typeddict-item]
                          file_sha256=self.file_sha256)

    @classmethod
    def from_dict(cls, data: OriginDict) -> FileOrigin:
        return cls(data["batch_id"], data["source_file"], data["entity"],
                   data["contract_version"], data["file_format"], data.get("file_sha256"))


@dataclass(frozen=True, slots=True)
class Chunk:
    kind: str
    origin: FileOrigin
    records: list[RecordEntry]


def encode_chunk(kind: ChunkKind, origin: FileOrigin, records: list[RecordEntry]) -> bytes:
    return CHUNK_ADAPTER.dump_json(
        ChunkDict(v=1, kind=kind, origin=origin.as_dict(), records=records),
        exclude_none=False)


def valid_entry_bytes(line: int, key: bytes | None, canonical: bytes,
                      replay: ReplayMark | None = None) -> bytes:
    """One valid record entry as JSON, with the canonical record embedded as it is."""
    head: dict[str, Any] = {"line": line,
                            "key": None if key is None else key.decode("utf-8", "replace")}
    if replay is not None:
        head["replay"] = replay
    return orjson.dumps(head)[:-1] + b',"record":' + canonical + b"}"


def encode_valid_chunk(origin: FileOrigin, entries: list[bytes]) -> bytes:
    """A valid chunk from entries made by valid_entry_bytes (the same JSON encode_chunk
    would write for them, without parsing the canonical records again)."""
    head = orjson.dumps({"v": CHUNK_VERSION, "kind": "valid", "origin": origin.as_dict()})
    return head[:-1] + b',"records":[' + b",".join(entries) + b"]}"


def decode_chunk(value: bytes | None) -> Chunk:
    """The chunk in a message value; ChunkError when it is not one (never anything else)."""
    if not value:
        raise ChunkError("the message has no value")
    try:
        data = CHUNK_ADAPTER.validate_json(value)
    except ValidationError as exc:
        raise ChunkError(f"not a version {CHUNK_VERSION} chunk: "
                         f"{exc.errors(include_url=False)[:3]}") from None
    return Chunk(data["kind"], FileOrigin.from_dict(data["origin"]), data["records"])


def chunk_key(origin: FileOrigin, first_line: int) -> bytes:
    return f"{origin.batch_id}|{origin.source_file}|{first_line}".encode()


def entry_bytes(entry: RecordEntry) -> bytes:
    """A raw record's original bytes (what a dead letter carries)."""
    if "value_b64" in entry:
        return base64.b64decode(entry["value_b64"])
    return entry.get("value", "").encode("utf-8", "surrogateescape")


def raw_entry(line: int, key: bytes | None, value: bytes, error: str | None = None,
              replay: ReplayMark | None = None) -> RecordEntry:
    """A raw record entry for these original bytes (base64 when they are not UTF-8)."""
    entry = RecordEntry(line=line, key=None if key is None else key.decode("utf-8", "replace"))
    try:
        entry["value"] = value.decode("utf-8")
    except UnicodeDecodeError:
        entry["value_b64"] = base64.b64encode(value).decode("ascii")
    if error is not None:
        entry["error"] = error
    if replay is not None:
        entry["replay"] = replay
    return entry


FileKey = tuple[str, str]  # (batch_id, source_file): the unit the ledger counts


class RecordIdentity(NamedTuple):
    """A source record's identity: where it was read (docs/decisions/0002)."""

    batch_id: str
    source_file: str
    line_number: int

    @property
    def file_key(self) -> FileKey:
        return (self.batch_id, self.source_file)

    def __str__(self) -> str:
        return f"{self.batch_id}/{self.source_file}:{self.line_number}"


@dataclass(frozen=True, slots=True)
class Envelope:
    """One record's identity and provenance, whichever stage writes or reads it: the
    file it came from, its line, its own key and, for a replayed record, its history."""

    origin: FileOrigin
    line: int
    key: bytes | None = None
    replay: ReplayMark | None = None

    @property
    def identity(self) -> RecordIdentity:
        return RecordIdentity(self.origin.batch_id, self.origin.source_file, self.line)

    @property
    def replay_id(self) -> str | None:
        return None if self.replay is None else self.replay["replay_id"]

    @classmethod
    def of_entry(cls, origin: FileOrigin, entry: RecordEntry) -> Envelope:
        key = entry.get("key")
        return cls(origin, entry["line"], None if key is None else key.encode(),
                   entry.get("replay"))


def chunk_json_schema() -> dict[str, Any]:
    """The JSON Schema of chunk v1, as committed in contracts/schemas/chunk/v1.json."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "shopflow/chunk/v1", "title": "ShopFlow record chunk, version 1",
            "description": (__doc__ or "").split("\n\n")[0],
            **CHUNK_ADAPTER.json_schema()}
