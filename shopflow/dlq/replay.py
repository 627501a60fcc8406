"""Replaying dead letters: back onto the entity's raw topic, through validation again.

A replayed record keeps its provenance (same batch, file and line, so the same
identity downstream), carries its attempt count and first failure time (so a new
failure comes back with attempt+1), and names the latest contract version (so a
contract change is picked up). Skipped: resolved letters, letters already replayed
at their current attempt, and letters at the attempt limit. Replays run one at a
time (an advisory lock), so the audit rows are exact; a dry run writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from contracts import latest_version, natural_key
from contracts.chunk import raw_entry
from contracts.schema_rules import load_exact
from shopflow.dlq.export import ExportedLetter
from shopflow.dlq.models import DeadLetter, Identity, LetterFilter, ReplayReport
from shopflow.dlq.query import get_dead_letters, list_dead_letters
from shopflow.dlq.replay_headers import replay_key, replay_mark, replay_origin
from shopflow.ingest.publish import ChunkWriter, escaped_size
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic

RESOLVED, LIMIT, ALREADY_REPLAYED, NOT_FOUND = (
    "resolved", "attempt_limit", "already_replayed", "not_in_ledger")
KEY_CHANGED, CONFLICTING_EDITS = "key_changed", "conflicting_edits"
_LOCK_KEY = 0x5F0D1A  # pg_advisory_xact_lock key of "a replay is being recorded"


@dataclass(frozen=True)
class ReplayRequest:
    requested_by: str
    source: str  # 'dlq', 'file' or 'api' (ops.dlq_replays.source)
    selection: dict[str, Any]
    dry_run: bool = False
    note: str | None = None
    allow_key_change: bool = False  # an edit may change the record's natural key


@dataclass(frozen=True)
class ReplayItem:
    letter: DeadLetter
    payload: bytes | None
    record: dict[str, Any] | None = None  # an edited record
    edited: bool = False


def replay_from_ledger(settings: Settings, conn: psycopg.Connection, producer: EventProducer,
                       selection: LetterFilter, request: ReplayRequest) -> ReplayReport:
    """Replay the letters a filter selects, as they are (e.g. after a contract change)."""
    items = [ReplayItem(letter, letter.payload) for letter in list_dead_letters(conn, selection)]
    return run_replay(settings, conn, producer, items, request)


def replay_from_export(settings: Settings, conn: psycopg.Connection, producer: EventProducer,
                       exported: Iterable[ExportedLetter],
                       request: ReplayRequest) -> ReplayReport:
    """Replay the letters of an (edited) export file with the payloads found in it."""
    wanted = list(exported)
    known = get_dead_letters(conn, [e.identity for e in wanted])
    items, missing = [], []
    for entry in wanted:
        letter = known.get(entry.identity)
        if letter is None:
            missing.append(entry.identity)
        else:
            items.append(_item_from_export(letter, entry))
    return run_replay(settings, conn, producer, items, request, missing)


def _item_from_export(letter: DeadLetter, entry: ExportedLetter) -> ReplayItem:
    if entry.payload == letter.payload or (entry.record is not None
                                           and entry.record == _as_object(letter.payload)):
        return ReplayItem(letter, letter.payload)  # unchanged: replay the original bytes
    return ReplayItem(letter, entry.payload, entry.record, edited=True)


def _as_object(payload: bytes | None) -> Any:
    try:
        return load_exact(payload) if payload is not None else None
    except ValueError:
        return None


def run_replay(settings: Settings, conn: psycopg.Connection, producer: EventProducer,
               items: list[ReplayItem], request: ReplayRequest,
               missing: Iterable[Identity] = ()) -> ReplayReport:
    replay_id = None if request.dry_run else new_replay_id()
    report = ReplayReport(replay_id, request.dry_run)
    items, missing = _merged(items, report), list(dict.fromkeys(missing))
    report.selected += len(items)
    for identity in missing:
        report.skip(NOT_FOUND, identity)
        report.selected += 1
    if not request.allow_key_change:
        items = _keeping_keys(items, report)
    with conn.transaction():
        if not request.dry_run:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        to_send = _eligible(settings, conn, items, report)
        report.resubmitted = [item.letter.identity for item in to_send]
        if request.dry_run or replay_id is None:
            return report
        _record(conn, replay_id, request, report, to_send)
        _produce(settings, producer, replay_id, to_send)
        producer.flush()
    if not conn.autocommit:
        conn.commit()
    return report


def _merged(items: list[ReplayItem], report: ReplayReport) -> list[ReplayItem]:
    """One item per letter: a letter listed twice with the same content counts once; listed
    with different edits it is not replayed (which edit is meant cannot be known)."""
    by_identity: dict[Identity, list[ReplayItem]] = {}
    for item in items:
        by_identity.setdefault(item.letter.identity, []).append(item)
    merged = []
    for identity, same in by_identity.items():
        if len({(i.payload, i.edited) for i in same}) > 1:
            report.skip(CONFLICTING_EDITS, identity)
            report.selected += 1
        else:
            merged.append(same[0])
    return merged


def _keeping_keys(items: list[ReplayItem], report: ReplayReport) -> list[ReplayItem]:
    """Edits that change the record's natural key are refused: replayed, the record would
    become a version of ANOTHER key (C1 rewritten as C999's current version)."""
    kept = []
    for item in items:
        if item.edited and _changes_key(item):
            report.skip(KEY_CHANGED, item.letter.identity)
        else:
            kept.append(item)
    return kept


def _changes_key(item: ReplayItem) -> bool:
    letter, entity = item.letter, item.letter.entity
    original = _as_object(letter.payload)
    if isinstance(original, dict):
        return _natural_key(entity, item.record) != _natural_key(entity, original)
    # An unreadable original: only the key the ingestor could read (if any) is known.
    return letter.record_key is not None and \
        replay_key(letter, item.record) != letter.record_key


def _natural_key(entity: str, record: Any) -> tuple[str, ...] | None:
    if not isinstance(record, dict):
        return None
    return tuple(str(record.get(name) or "").strip() for name in natural_key(entity))


def _eligible(settings: Settings, conn: psycopg.Connection, items: list[ReplayItem],
              report: ReplayReport) -> list[ReplayItem]:
    replayed = _replayed_at_attempt(conn, [item.letter for item in items])
    eligible = []
    for item in sorted(items, key=lambda i: i.letter.identity):
        letter = item.letter
        if letter.resolved:
            report.skip(RESOLVED, letter.identity)
        elif letter.attempt >= settings.dlq_max_attempts:
            report.skip(LIMIT, letter.identity)
        elif (letter.identity, letter.attempt) in replayed:
            report.skip(ALREADY_REPLAYED, letter.identity)
        else:
            eligible.append(item)
    return eligible


def _replayed_at_attempt(conn: psycopg.Connection,
                         letters: list[DeadLetter]) -> set[tuple[Identity, int]]:
    if not letters:
        return set()
    rows = conn.execute(
        """SELECT batch_id, source_file, line_number, attempt FROM ops.replayed_letters
           WHERE (batch_id, source_file, line_number, attempt) IN
             (SELECT * FROM unnest(%s::text[], %s::text[], %s::int[], %s::int[]))""",
        ([x.identity.batch_id for x in letters], [x.identity.source_file for x in letters],
         [x.identity.line_number for x in letters], [x.attempt for x in letters])).fetchall()
    return {(Identity(b, f, n), attempt) for b, f, n, attempt in rows}


def new_replay_id() -> str:
    return f"replay-{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _record(conn: psycopg.Connection, replay_id: str, request: ReplayRequest,
            report: ReplayReport, sent: list[ReplayItem]) -> None:
    note = request.note or "; ".join(f"{reason}: {len(ids)}"
                                     for reason, ids in sorted(report.skipped.items())) or None
    conn.execute(
        """INSERT INTO ops.dlq_replays (replay_id, requested_by, source, selection, dry_run,
             selected, resubmitted, skipped, note)
           VALUES (%s, %s, %s, %s, false, %s, %s, %s, %s)""",
        (replay_id, request.requested_by, request.source, Jsonb(request.selection),
         report.selected, len(sent), report.skipped_count, note))
    conn.execute(
        """INSERT INTO ops.replayed_letters
             (replay_id, batch_id, source_file, line_number, attempt, edited)
           SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::int[], %s::int[], %s::bool[])""",
        (replay_id, [i.letter.identity.batch_id for i in sent],
         [i.letter.identity.source_file for i in sent],
         [i.letter.identity.line_number for i in sent], [i.letter.attempt for i in sent],
         [i.edited for i in sent]))


def _produce(settings: Settings, producer: EventProducer, replay_id: str,
             items: list[ReplayItem]) -> None:
    """The replayed records as raw chunks, one run per source file (items come sorted by
    identity, so a file's records are together)."""
    writer: ChunkWriter | None = None
    for item in items:
        letter = item.letter
        origin = replay_origin(letter, latest_version(letter.entity))
        if writer is None or writer.origin != origin:
            if writer is not None:
                writer.flush()
            writer = ChunkWriter(settings, producer, raw_topic(settings, letter.entity), origin)
        payload = item.payload or b""
        writer.add(raw_entry(letter.identity.line_number, replay_key(letter, item.record),
                             payload, replay=replay_mark(letter, replay_id)),
                   escaped_size(payload))
    if writer is not None:
        writer.flush()
