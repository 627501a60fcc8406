"""Loader test input: what the ingestor and validator would publish for a generated run.

Reads `shopflow generate` output and turns each batch into the messages the
loader consumes: valid records as valid chunks (contracts/chunk.py, a file's records
in runs of settings.chunk_max_records), dead letters one message per record with
their original bytes, envelope and error headers, and the control events.
Which record is a dead letter comes from the generator's truth (truth_defects.jsonl);
every other record must pass the contract, or the helper stops with an error.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from confluent_kafka import Message

import contracts
from contracts.chunk import (
    H_CHUNK_VERSION,
    Envelope,
    FileOrigin,
    ReplayMark,
    chunk_key,
    encode_valid_chunk,
    valid_entry_bytes,
)
from shopflow.events import (
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_ORIG_POSITION,
    BatchOpened,
    BatchPublished,
    ControlEvent,
    FilePublished,
    FileQuarantined,
    FileSkipped,
    encode_event,
    envelope_headers,
)
from shopflow.runtime.kafka import EventProducer, Headers
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, dlq_topic, valid_topic

Out = tuple[str, bytes | None, bytes, Headers]  # topic, key, value, headers


@dataclass
class FileFeed:
    batch_id: str
    name: str
    entity: str
    outcome: str  # published | schema_drift | duplicate_file
    sha256: str
    valid: list[tuple[int, bytes]] = field(default_factory=list)  # (line, canonical JSON)
    dead: list[tuple[int, bytes, str]] = field(default_factory=list)  # (line, raw, code)

    @property
    def records(self) -> int:
        return len(self.valid) + len(self.dead)


@dataclass
class BatchFeed:
    batch_id: str
    business_date: str
    files: list[FileFeed]

    @property
    def published(self) -> list[FileFeed]:
        return [f for f in self.files if f.outcome == "published"]


def origin_of(batch_id: str, file_name: str, entity: str) -> FileOrigin:
    file_format = "jsonl" if file_name.endswith(".jsonl") else "csv"
    return FileOrigin(batch_id, file_name, entity, 1, file_format)


def replay_mark(replay_id: str, attempt: int = 1) -> ReplayMark:
    return ReplayMark(replay_id=replay_id, attempt=attempt,
                      first_failed_at="2026-03-01T00:00:00Z")


def valid_chunk(settings: Settings, origin: FileOrigin, records: Sequence[tuple[int, bytes]],
                replay_id: str | None = None) -> Out:
    """One valid chunk message of these (line, canonical JSON) records of one file."""
    replay = replay_mark(replay_id) if replay_id else None
    entries = [valid_entry_bytes(line, f"{origin.source_file}:{line}".encode(), value, replay)
               for line, value in records]
    return (valid_topic(settings, origin.entity), chunk_key(origin, records[0][0]),
            encode_valid_chunk(origin, entries), [(H_CHUNK_VERSION, b"1")])


def valid_chunks(settings: Settings, origin: FileOrigin,
                 records: Sequence[tuple[int, bytes]]) -> list[Out]:
    """A file's valid records as chunks of settings.chunk_max_records, as the validator
    writes them."""
    size = settings.chunk_max_records
    return [valid_chunk(settings, origin, records[i:i + size])
            for i in range(0, len(records), size)]


def dead_letter(settings: Settings, origin: FileOrigin, line: int, raw: bytes, code: str,
                position: int = 0, replay_id: str | None = None) -> Out:
    """One dead letter as the validator produces it: original bytes, envelope, errors."""
    replay = replay_mark(replay_id) if replay_id else None
    key = f"{origin.source_file}:{line}".encode()
    headers: Headers = [*envelope_headers(Envelope(origin, line, key, replay)),
                        (H_ERR_CODES, code.encode()),
                        (H_ERR_ATTEMPT, b"1" if replay is None else b"2"),
                        (H_ERR_ORIG_POSITION, str(position).encode())]
    return (dlq_topic(settings, origin.entity), key, raw, headers)


def canonical_record(entity: str, mapping: dict) -> bytes:
    outcome = contracts.validate_record(entity, mapping)
    assert outcome.ok and outcome.model is not None, f"not valid: {outcome.errors} {mapping}"
    return contracts.canonical_json(outcome.model)


def _records(path: Path) -> Iterator[tuple[int, dict | None, bytes]]:
    """(starting line, mapping or None if unreadable, original bytes) per record."""
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    if path.suffix == ".jsonl":
        for number, line in enumerate(text.splitlines(), start=1):
            raw = line.encode("utf-8", "surrogateescape")
            try:
                yield number, json.loads(line), raw
            except ValueError:
                yield number, None, raw
        return
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    last = reader.line_num
    for row in reader:
        mapping = dict(zip(header, row, strict=False))
        raw = json.dumps(mapping, ensure_ascii=False).encode("utf-8", "surrogateescape")
        yield last + 1, mapping, raw
        last = reader.line_num


def read_generated(out: Path) -> list[BatchFeed]:
    truth = json.loads((out / "truth.json").read_text())
    dead = {}
    for text in (out / "truth_defects.jsonl").read_text().splitlines():
        defect = json.loads(text)
        if defect["outcome"] == "dead_letter":
            dead[(defect["batch_id"], defect["file"], defect["line"])] = defect["code"]
    batches = []
    for batch_id, info in sorted(truth["batches"].items()):
        files = []
        for name, stats in sorted(info["files"].items()):
            path = out / batch_id / name
            feed = FileFeed(batch_id, name, stats["entity"], stats["outcome"],
                            hashlib.sha256(path.read_bytes()).hexdigest())
            if feed.outcome == "published":
                for line, mapping, raw in _records(path):
                    code = dead.get((batch_id, name, line))
                    if code is not None or mapping is None:
                        feed.dead.append((line, raw, code or "unparseable"))
                    else:
                        feed.valid.append((line, canonical_record(feed.entity, mapping)))
            files.append(feed)
        batches.append(BatchFeed(batch_id, info["business_date"], files))
    return batches


def control_events(batch: BatchFeed) -> list[ControlEvent]:
    events: list[ControlEvent] = [BatchOpened(batch_id=batch.batch_id,
                                              business_date=batch.business_date,
                                              files=[f.name for f in batch.files])]
    for f in batch.files:
        if f.outcome == "published":
            events.append(FilePublished(batch_id=batch.batch_id, file=f.name, entity=f.entity,
                                        sha256=f.sha256, records=f.records))
        elif f.outcome == "schema_drift":
            events.append(FileQuarantined(batch_id=batch.batch_id, file=f.name,
                                          entity=f.entity, code="schema_drift",
                                          reason="header does not match the contract"))
        else:
            events.append(FileSkipped(batch_id=batch.batch_id, file=f.name, entity=f.entity,
                                      sha256=f.sha256, first_batch_id="earlier"))
    events.append(BatchPublished(batch_id=batch.batch_id, business_date=batch.business_date,
                                 files_published=len(batch.published),
                                 records=sum(f.records for f in batch.published)))
    return events


def record_messages(settings: Settings, batch: BatchFeed) -> list[Out]:
    """Valid chunks and dead letters of every published file of the batch."""
    out: list[Out] = []
    for f in batch.published:
        origin = origin_of(batch.batch_id, f.name, f.entity)
        out.extend(valid_chunks(settings, origin, f.valid))
        for position, (line, raw, code) in enumerate(f.dead):
            out.append(dead_letter(settings, origin, line, raw, code, position))
    return out


def control_messages(settings: Settings, batch: BatchFeed) -> list[Out]:
    return [(control_topic(settings), batch.batch_id.encode(), encode_event(e), [])
            for e in control_events(batch)]


def publish(settings: Settings, messages: list[Out]) -> None:
    producer = EventProducer(settings)
    for topic, key, value, headers in messages:
        producer.produce(topic, value, key=key, headers=headers)
    producer.flush()


def as_messages(messages: Sequence[Out], first_offset: int = 0) -> list[Message]:
    """The same messages as consumed ones, for in-process tests without a broker."""
    return [Message(topic=topic, partition=0, offset=first_offset + i, key=key, value=value,
                    headers=headers)
            for i, (topic, key, value, headers) in enumerate(messages)]


def expected_counts(batches: list[BatchFeed]) -> dict[tuple[str, str], tuple[int, int]]:
    """(loaded, rejected) per published (batch, file)."""
    return {(b.batch_id, f.name): (len(f.valid), len(f.dead))
            for b in batches for f in b.published}
