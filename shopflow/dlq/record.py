"""Writing dead-letter messages into the ledger, ops.dead_letters, idempotently.

Called by the loader inside its own transaction: this module never commits.
A letter's identity is its provenance; a redelivered message changes nothing, a
re-failure after a replay (a higher attempt) updates the row in place.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import psycopg
from confluent_kafka import TIMESTAMP_NOT_AVAILABLE, Message
from psycopg.types.json import Jsonb

from contracts.chunk import FileKey, RecordIdentity
from shopflow.events import (
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_DETAIL,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    envelope_from_headers,
    header_map,
)
from shopflow.topics import entity_of

log = logging.getLogger(__name__)


_UPSERT = """
INSERT INTO ops.dead_letters AS d (batch_id, source_file, line_number, entity, codes, errors,
  contract_version, original_topic, original_partition, original_offset, dlq_topic,
  dlq_partition, dlq_offset, attempt, first_failed_at, last_failed_at, record_key, payload,
  replay_id, original_position)
VALUES (%(batch_id)s, %(source_file)s, %(line_number)s, %(entity)s, %(codes)s, %(errors)s,
  %(contract_version)s, %(original_topic)s, %(original_partition)s, %(original_offset)s,
  %(dlq_topic)s, %(dlq_partition)s, %(dlq_offset)s, %(attempt)s, %(first_failed_at)s,
  %(last_failed_at)s, %(record_key)s, %(payload)s, %(replay_id)s, %(original_position)s)
ON CONFLICT (batch_id, source_file, line_number) DO UPDATE SET
  codes = excluded.codes, errors = excluded.errors, contract_version = excluded.contract_version,
  original_topic = excluded.original_topic, original_partition = excluded.original_partition,
  original_offset = excluded.original_offset,
  original_position = excluded.original_position, dlq_topic = excluded.dlq_topic,
  dlq_partition = excluded.dlq_partition, dlq_offset = excluded.dlq_offset,
  attempt = excluded.attempt, last_failed_at = excluded.last_failed_at,
  record_key = excluded.record_key, payload = excluded.payload, replay_id = excluded.replay_id
WHERE excluded.attempt > d.attempt
RETURNING batch_id, source_file, (xmax = 0) AS inserted
"""


def record_dead_letters(conn: psycopg.Connection | psycopg.Cursor[Any],
                        messages: Iterable[Message]) -> Mapping[FileKey, int]:
    """Upsert the letters; returns how many NEW identities were dead-lettered per file.

    The caller adds those counts to ops.batch_files.rejected in the same transaction
    (a re-failure or a redelivery is not a new rejection).
    """
    rows = _latest_per_identity(row for msg in messages if (row := letter_row(msg)))
    if not rows:
        return {}
    cursor = conn.cursor() if isinstance(conn, psycopg.Connection) else conn
    cursor.executemany(_UPSERT, rows, returning=True)
    new: Counter[FileKey] = Counter()
    while True:
        for batch_id, source_file, inserted in cursor.fetchall():
            if inserted:
                new[(batch_id, source_file)] += 1
        if not cursor.nextset():
            break
    return dict(new)


def _latest_per_identity(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per identity (a statement may not upsert the same row twice)."""
    latest: dict[RecordIdentity, dict[str, Any]] = {}
    for row in rows:
        key = RecordIdentity(row["batch_id"], row["source_file"], row["line_number"])
        if key not in latest or row["attempt"] >= latest[key]["attempt"]:
            latest[key] = row
    return [latest[key] for key in sorted(latest)]


def letter_row(msg: Message) -> dict[str, Any] | None:
    """The ledger row for one DLQ message, or None (logged) if it lacks its provenance."""
    headers = header_map(msg.headers())  # type: ignore[arg-type]
    try:
        envelope = envelope_from_headers(headers, entity_of(msg.topic() or ""))
    except ValueError:
        log.warning("dead letter without provenance headers is not recorded",
                    extra={"topic": msg.topic(), "partition": msg.partition(),
                           "offset": msg.offset()})
        return None
    identity, failed_at = envelope.identity, _message_time(msg)
    return {
        "batch_id": identity.batch_id, "source_file": identity.source_file,
        "line_number": identity.line_number, "entity": envelope.origin.entity,
        "codes": [c for c in headers.get(H_ERR_CODES, "").split(",") if c] or ["unparseable"],
        "errors": Jsonb(_errors(headers)),
        "contract_version": _int(headers.get(H_ERR_CONTRACT_VERSION)),
        "original_topic": headers.get(H_ERR_ORIG_TOPIC),
        "original_partition": _int(headers.get(H_ERR_ORIG_PARTITION)),
        "original_offset": _int(headers.get(H_ERR_ORIG_OFFSET)),
        "original_position": _int(headers.get(H_ERR_ORIG_POSITION)),
        "dlq_topic": msg.topic(), "dlq_partition": msg.partition(), "dlq_offset": msg.offset(),
        "attempt": _int(headers.get(H_ERR_ATTEMPT)) or 1,
        "first_failed_at": _time(headers.get(H_ERR_FIRST_FAILED_AT)) or failed_at,
        "last_failed_at": failed_at,
        "record_key": msg.key(), "payload": msg.value(),
        "replay_id": envelope.replay_id,
    }


def _errors(headers: Mapping[str, str]) -> list[dict[str, Any]]:
    try:
        detail = json.loads(headers.get(H_ERR_DETAIL, ""))
        if isinstance(detail, list):
            return detail
    except ValueError:
        pass
    codes = headers.get(H_ERR_CODES, "unparseable")
    return [{"code": codes, "field": None, "message": headers.get(H_ERR_MESSAGE, "")}]


def _int(text: str | None) -> int | None:
    return int(text) if text and text.lstrip("-").isdigit() else None


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
