"""Writing dead-letter messages into the ledger, ops.dead_letters, idempotently.

Called by the loader inside its own transaction: this module never commits.
A letter's identity is its provenance; a redelivered message changes nothing. Every
attempt is kept in ops.dead_letter_attempts (attempt 1 = the original failure, then one
row per replay that failed again). ops.dead_letters keeps the ORIGINAL bytes (payload and
record_key of attempt 1) and follows the latest attempt for codes, errors, attempt and
last_failed_at.

The ledger never stops the loader: how a message becomes a storable row is
shopflow.dlq.letter_row; a row PostgreSQL still refuses is written with escaped texts
and a note saying why.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from confluent_kafka import Message
from psycopg.types.json import Jsonb

from contracts.chunk import FileKey, RecordIdentity
from shopflow.dlq.letter_row import letter_row

log = logging.getLogger(__name__)


# Columns that follow the latest attempt; payload and record_key stay those of the
# lowest attempt seen (the original bytes; original_attempt is the attempt they belong
# to), first_failed_at the earliest.
_LATEST = ("codes", "errors", "contract_version", "original_topic", "original_partition",
           "original_offset", "original_position", "dlq_topic", "dlq_partition", "dlq_offset",
           "attempt", "last_failed_at", "replay_id")
_ORIGINAL = ("record_key", "payload")
_UPSERT = f"""
INSERT INTO ops.dead_letters AS d (batch_id, source_file, line_number, entity, codes, errors,
  contract_version, original_topic, original_partition, original_offset, dlq_topic,
  dlq_partition, dlq_offset, attempt, first_failed_at, last_failed_at, record_key, payload,
  replay_id, original_position)
VALUES (%(batch_id)s, %(source_file)s, %(line_number)s, %(entity)s, %(codes)s, %(errors)s,
  %(contract_version)s, %(original_topic)s, %(original_partition)s, %(original_offset)s,
  %(dlq_topic)s, %(dlq_partition)s, %(dlq_offset)s, %(attempt)s, %(first_failed_at)s,
  %(last_failed_at)s, %(record_key)s, %(payload)s, %(replay_id)s, %(original_position)s)
ON CONFLICT (batch_id, source_file, line_number) DO UPDATE SET
  {", ".join(f"{c} = CASE WHEN excluded.attempt > d.attempt THEN excluded.{c} ELSE d.{c} END"
             for c in _LATEST)},
  {", ".join(f"{c} = CASE WHEN %(original_attempt)s::int < d.attempt THEN excluded.{c} "
             f"ELSE d.{c} END" for c in _ORIGINAL)},
  first_failed_at = least(d.first_failed_at, excluded.first_failed_at)
WHERE excluded.attempt > d.attempt OR %(original_attempt)s::int < d.attempt
RETURNING batch_id, source_file, (xmax = 0) AS inserted
"""
# Every attempt, as it failed; a redelivered letter changes nothing.
_ATTEMPT = """
INSERT INTO ops.dead_letter_attempts (batch_id, source_file, line_number, attempt, payload,
  record_key, codes, errors, failed_at, replay_id)
VALUES (%(batch_id)s, %(source_file)s, %(line_number)s, %(attempt)s, %(payload)s,
  %(record_key)s, %(codes)s, %(errors)s, %(last_failed_at)s, %(replay_id)s)
ON CONFLICT DO NOTHING
"""
# What the database may refuse about a letter's values (data, integrity, program limits).
_REFUSED = (psycopg.errors.DataError, psycopg.errors.IntegrityError,
            psycopg.errors.ProgramLimitExceeded)


def record_dead_letters(conn: psycopg.Connection | psycopg.Cursor[Any],
                        messages: Iterable[Message]) -> Mapping[FileKey, int]:
    """Upsert the letters and their attempts; returns how many NEW identities were
    dead-lettered per file.

    The caller adds those counts to ops.batch_files.rejected in the same transaction
    (a re-failure or a redelivery is not a new rejection).
    """
    rows = [row for msg in messages if (row := letter_row(msg))]
    if not rows:
        return {}
    cursor = conn.cursor() if isinstance(conn, psycopg.Connection) else conn
    if cursor.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE \
            and not cursor.connection.autocommit:
        cursor.execute("SELECT 1")  # begins the caller's transaction: savepoints below
    _execute(cursor, _ATTEMPT, _one_per_attempt(rows), returning=False)
    new: Counter[FileKey] = Counter()
    for batch_id, source_file, inserted in _execute(cursor, _UPSERT,
                                                    _per_identity(rows), returning=True):
        if inserted:
            new[(batch_id, source_file)] += 1
    return dict(new)


def _execute(cursor: psycopg.Cursor[Any], statement: str, rows: list[dict[str, Any]],
             returning: bool) -> list[tuple[Any, ...]]:
    """All rows in one executemany (in a savepoint); should the database still refuse a
    row, the rows are written one by one and a refused one is written with its texts as
    ASCII escapes and its errors replaced by why (logged): the ledger never stops."""
    try:
        with cursor.connection.transaction():
            return _many(cursor, statement, rows, returning)
    except _REFUSED:
        pass
    out: list[tuple[Any, ...]] = []
    for row in rows:
        try:
            with cursor.connection.transaction():
                out.extend(_many(cursor, statement, [row], returning))
        except _REFUSED as exc:
            log.error("dead letter refused by the database; stored with escaped texts",
                      extra={"batch_id": _ascii(row["batch_id"]),
                             "source_file": _ascii(row["source_file"]),
                             "line": row["line_number"], "error": str(exc).strip()[:300]})
            with cursor.connection.transaction():
                out.extend(_many(cursor, statement, [_last_resort(row, exc)], returning))
    return out


def _many(cursor: psycopg.Cursor[Any], statement: str, rows: list[dict[str, Any]],
          returning: bool) -> list[tuple[Any, ...]]:
    if not rows:
        return []
    cursor.executemany(statement, rows, returning=returning)
    if not returning:
        return []
    out: list[tuple[Any, ...]] = []
    while True:
        out.extend(cursor.fetchall())
        if not cursor.nextset():
            break
    return out


def _last_resort(row: dict[str, Any], exc: psycopg.Error) -> dict[str, Any]:
    safe = {k: _ascii(v) if isinstance(v, str) else v for k, v in row.items()}
    safe["codes"] = [_ascii(c) for c in row["codes"]]
    safe["errors"] = Jsonb([{"code": safe["codes"][0], "field": None,
                             "message": "the errors of this letter could not be stored: "
                                        + _ascii(str(exc).strip()[:500])}])
    for column in ("contract_version", "original_partition", "original_offset",
                   "original_position"):
        safe[column] = None
    return safe


def _ascii(text: str) -> str:
    return text.encode("ascii", "backslashreplace").decode("ascii")


def _identity(row: dict[str, Any]) -> RecordIdentity:
    return RecordIdentity(row["batch_id"], row["source_file"], row["line_number"])


def _one_per_attempt(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (identity, attempt), the first seen (as the database keeps the first)."""
    found: dict[tuple[RecordIdentity, int], dict[str, Any]] = {}
    for row in rows:
        found.setdefault((_identity(row), row["attempt"]), row)
    return [found[key] for key in sorted(found)]


def _per_identity(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per identity (a statement may not upsert the same row twice): the latest
    attempt's, with the original bytes and first failure of the lowest attempt."""
    latest: dict[RecordIdentity, dict[str, Any]] = {}
    first: dict[RecordIdentity, dict[str, Any]] = {}
    for row in rows:
        key = _identity(row)
        if key not in latest or row["attempt"] >= latest[key]["attempt"]:
            latest[key] = row
        if key not in first or row["attempt"] < first[key]["attempt"]:
            first[key] = row
    merged = []
    for key in sorted(latest):
        row, original = dict(latest[key]), first[key]
        row["payload"], row["record_key"] = original["payload"], original["record_key"]
        row["original_attempt"] = original["attempt"]
        row["first_failed_at"] = min(row["first_failed_at"], original["first_failed_at"])
        merged.append(row)
    return merged
