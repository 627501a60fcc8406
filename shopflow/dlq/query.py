"""Reading the dead-letter ledger with filters (shared by the CLI and the API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql

from shopflow.dlq.models import DeadLetter, Identity, LetterFilter

_COLUMNS = sql.SQL("""
  d.batch_id, d.source_file, d.line_number, d.entity, d.codes, d.errors, d.contract_version,
  d.original_topic, d.original_partition, d.original_offset, d.dlq_topic, d.dlq_partition,
  d.dlq_offset, d.attempt, d.first_failed_at, d.last_failed_at,
  coalesce(a.record_key, d.record_key), coalesce(a.payload, d.payload),
  d.resolved_at, d.replay_id, f.sha256, d.payload""")
# The file's content hash, from the ingestor's own record of the file it published; the
# bytes of the latest attempt (an edited replay that failed again) next to the original.
_FROM = sql.SQL("""
  FROM ops.dead_letters d
  LEFT JOIN ops.dead_letter_attempts a
    ON (a.batch_id, a.source_file, a.line_number, a.attempt)
     = (d.batch_id, d.source_file, d.line_number, d.attempt)
  LEFT JOIN LATERAL (SELECT i.sha256 FROM ops.ingested_files i
                     WHERE i.batch_id = d.batch_id AND i.file_name = d.source_file
                     LIMIT 1) f ON true""")
_ORDER = sql.SQL(" ORDER BY d.batch_id, d.source_file, d.line_number")


def _letter(row: Sequence[Any]) -> DeadLetter:
    (batch_id, source_file, line_number, *rest) = row
    (entity, codes, errors, version, o_topic, o_part, o_off, q_topic, q_part, q_off, attempt,
     first_at, last_at, key, payload, resolved_at, replay_id, sha, original) = rest
    return DeadLetter(
        Identity(batch_id, source_file, line_number), entity, list(codes), list(errors), version,
        o_topic, o_part, o_off, q_topic, q_part, q_off, attempt, first_at, last_at,
        _bytes(key), _bytes(payload), resolved_at, replay_id, sha, _bytes(original))


def _bytes(value: Any) -> bytes | None:
    return bytes(value) if value is not None else None


def _conditions(selection: LetterFilter) -> tuple[list[sql.Composable], list[Any]]:
    where: list[sql.Composable] = []
    params: list[Any] = []
    checks: list[tuple[bool, str, Any]] = [
        (selection.entity is not None, "d.entity = %s", selection.entity),
        (selection.batch_id is not None, "d.batch_id = %s", selection.batch_id),
        (bool(selection.codes), "d.codes && %s::text[]", list(selection.codes)),
        (selection.since is not None, "d.last_failed_at >= %s", selection.since),
        (selection.until is not None, "d.last_failed_at < %s", selection.until),
    ]
    for wanted, condition, value in checks:
        if wanted:
            where.append(sql.SQL(condition))  # constant text from the table above
            params.append(value)
    if not selection.include_resolved:
        where.append(sql.SQL("d.resolved_at IS NULL"))
    if selection.after is not None:
        where.append(sql.SQL("(d.batch_id, d.source_file, d.line_number) > (%s, %s, %s)"))
        params.extend(selection.after)
    return where, params


def list_dead_letters(conn: psycopg.Connection, selection: LetterFilter) -> list[DeadLetter]:
    where, params = _conditions(selection)
    query = sql.SQL("SELECT ") + _COLUMNS + _FROM
    if where:
        query += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
    query += _ORDER
    if selection.limit is not None:
        query += sql.SQL(" LIMIT %s")
        params.append(selection.limit)
    return [_letter(row) for row in conn.execute(query, params).fetchall()]


def get_dead_letters(conn: psycopg.Connection,
                     identities: Sequence[Identity]) -> dict[Identity, DeadLetter]:
    if not identities:
        return {}
    query = sql.SQL("SELECT ") + _COLUMNS + _FROM + sql.SQL("""
      WHERE (d.batch_id, d.source_file, d.line_number) IN
        (SELECT * FROM unnest(%s::text[], %s::text[], %s::int[]))""") + _ORDER
    params = ([i.batch_id for i in identities], [i.source_file for i in identities],
              [i.line_number for i in identities])
    letters = [_letter(row) for row in conn.execute(query, params).fetchall()]
    return {letter.identity: letter for letter in letters}


def get_dead_letter(conn: psycopg.Connection, identity: Identity) -> DeadLetter | None:
    return get_dead_letters(conn, [identity]).get(identity)
