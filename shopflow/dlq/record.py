"""Writing dead-letter messages into the ledger, ops.dead_letters, idempotently.

Called by the loader inside its own transaction: this module never commits.
A letter's identity is its provenance; a redelivered message changes nothing. Every
attempt is kept in ops.dead_letter_attempts (attempt 1 = the original failure, then one
row per replay that failed again). ops.dead_letters keeps the ORIGINAL bytes (payload and
record_key of attempt 1) and follows the latest attempt for codes, errors, attempt and
last_failed_at.

The ledger never stops the loader: text PostgreSQL cannot hold (NUL, lone surrogates)
is stored escaped (``\\u0000``), numbers outside their column's range are left out,
and a letter whose detail header was cut to fit the broker's message limit
(``shopflow.errors.detail_truncated``) gets its full error list back by validating its
original bytes again with the contract version its headers name (deterministic); if
that is impossible the listed errors are kept with one entry saying how many were not
listed. A letter without a usable provenance (no batch, file, or a line outside
1..2^31-1) cannot be recorded: it is logged and counted in
``shopflow_records_rejected_total{service="loader",code="unrecordable"}``.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg
from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Message
from psycopg.types.json import Jsonb

import contracts
from contracts.chunk import FileKey, RecordIdentity
from shopflow.events import (
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_COUNT,
    H_ERR_DETAIL,
    H_ERR_DETAIL_CUT,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    H_LINE,
    envelope_from_headers,
    header_map,
)
from shopflow.runtime.metrics import RECORDS_REJECTED
from shopflow.topics import entity_of

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
_INT32, _INT64 = 2**31, 2**63
_INTEGER = re.compile(r"-?[0-9]{1,20}")
NOT_LISTED = "not_listed"  # the code of the entry that counts errors a cut detail left out
SERVICE = "loader"


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


def letter_row(msg: Message) -> dict[str, Any] | None:
    """The ledger row for one DLQ message, or None (logged and counted) if it lacks its
    provenance."""
    headers = header_map(msg.headers())  # type: ignore[arg-type]
    topic_entity = entity_of(msg.topic() or "")
    try:
        envelope = envelope_from_headers(headers, topic_entity)
    except ValueError:
        log.warning("dead letter without a usable provenance (batch id, source file, line "
                    "number in 1..2^31-1) is not recorded",
                    extra={"topic": msg.topic(), "partition": msg.partition(),
                           "offset": msg.offset(),
                           "line_number": _storable(headers.get(H_LINE, ""))[:40]})
        RECORDS_REJECTED.labels(SERVICE, topic_entity or "?", "unloadable").inc()
        return None
    identity, failed_at = envelope.identity, _message_time(msg)
    entity, payload = envelope.origin.entity, msg.value()
    codes = [_storable(c) for c in headers.get(H_ERR_CODES, "").split(",") if c] \
        or ["unparseable"]
    try:
        errors = _storable_json(_errors(headers, entity, payload))
    except RecursionError:
        errors = [{"code": codes[0], "field": None,
                   "message": "the error detail is nested too deeply to be stored"}]
    return {
        "batch_id": _storable(identity.batch_id),
        "source_file": _storable(identity.source_file),
        "line_number": identity.line_number, "entity": _storable(entity),
        "codes": codes,
        "errors": Jsonb(errors),
        "contract_version": _int(headers.get(H_ERR_CONTRACT_VERSION)),
        "original_topic": _storable(headers[H_ERR_ORIG_TOPIC])
        if H_ERR_ORIG_TOPIC in headers else None,
        "original_partition": _int(headers.get(H_ERR_ORIG_PARTITION)),
        "original_offset": _int(headers.get(H_ERR_ORIG_OFFSET), _INT64),
        "original_position": _int(headers.get(H_ERR_ORIG_POSITION)),
        "dlq_topic": msg.topic(), "dlq_partition": msg.partition(), "dlq_offset": msg.offset(),
        "attempt": _int(headers.get(H_ERR_ATTEMPT)) or 1,
        "first_failed_at": _time(headers.get(H_ERR_FIRST_FAILED_AT)) or failed_at,
        "last_failed_at": failed_at,
        "record_key": msg.key(), "payload": payload,
        "replay_id": None if envelope.replay_id is None else _storable(envelope.replay_id),
    }


def _errors(headers: Mapping[str, str], entity: str, payload: bytes | None
            ) -> list[Any]:
    """The letter's errors: the detail header's list, or all of them when it was cut."""
    listed = _listed(headers)
    if headers.get(H_ERR_DETAIL_CUT, "").strip().lower() != "true":
        return listed
    count = _int(headers.get(H_ERR_COUNT))
    version = _int(headers.get(H_ERR_CONTRACT_VERSION))
    try:  # deterministic: the same bytes and contract version give the same errors
        outcome = contracts.validate_json(entity, payload or b"", version)
    except Exception as exc:  # an unknown contract (or anything else): keep what is listed
        reason = f"the record could not be validated again ({type(exc).__name__}: {exc})"
    else:
        full = [error.to_dict() for error in outcome.errors]
        if full and len(full) >= len(listed) and (count is None or len(full) == count):
            return full
        reason = (f"validating the record again gave {len(full)} errors, not the "
                  f"{'more than ' + str(len(listed)) if count is None else count} "
                  "its headers announce")
    missing = count - len(listed) if count is not None and count > len(listed) else None
    return [*listed, {
        "code": NOT_LISTED, "field": None, "not_listed": missing,
        "message": f"{'more' if missing is None else missing} errors were not listed: the "
                   "dead letter's detail header was cut to fit the broker's message limit "
                   f"and {reason}"}]


def _listed(headers: Mapping[str, str]) -> list[Any]:
    try:
        detail = json.loads(headers.get(H_ERR_DETAIL, ""))
        if isinstance(detail, list):
            return detail
    except ValueError:
        pass
    codes = headers.get(H_ERR_CODES, "unparseable")
    return [{"code": codes, "field": None, "message": headers.get(H_ERR_MESSAGE, "")}]


def _storable(text: str) -> str:
    """Text PostgreSQL can hold: NUL and lone surrogates written as visible escapes."""
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join(f"\\u{ord(c):04x}" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text


def _storable_json(value: Any) -> Any:
    """A JSON value jsonb accepts: texts as _storable, NaN and infinities as text."""
    if isinstance(value, str):
        return _storable(value)
    if isinstance(value, dict):
        return {_storable(str(k)): _storable_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def _int(text: str | None, bound: int = _INT32) -> int | None:
    """The header's integer if its column can hold it (integer or bigint), else None."""
    if not text or not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if -bound <= value < bound else None


def _time(text: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def _message_time(msg: Message) -> datetime:
    kind, millis = msg.timestamp()
    if kind == TIMESTAMP_NOT_AVAILABLE:
        return datetime.now(UTC)
    return datetime.fromtimestamp(millis / 1000, UTC)
