"""The batch ledger (ops.batches, ops.batch_files, ops.batch_dates) kept by the loader.

Every transaction that changes a batch's counts first locks that batch's row in
ops.batches (in batch-id order, so loaders never deadlock on it). Two loaders
touching the same batch therefore serialize from this point to their commit, and
the later one's completion check sees the earlier one's counts (docs/loading.md).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import psycopg
from psycopg import sql

from contracts.chunk import FileKey
from shopflow.events import (
    BatchOpened,
    BatchPublished,
    ControlEvent,
    FilePublished,
    FileQuarantined,
    FileSkipped,
)
from shopflow.load.days import FileLoad
from shopflow.load.staging import StagingTable


def lock_batches(conn: psycopg.Connection, batch_ids: Iterable[str]) -> list[str]:
    ids = sorted(set(batch_ids))
    if ids:
        conn.execute("INSERT INTO ops.batches (batch_id) SELECT b FROM unnest(%s::text[]) AS b "
                     "ORDER BY b ON CONFLICT DO NOTHING", (ids,))
        conn.execute("SELECT 1 FROM ops.batches WHERE batch_id = ANY(%s) "
                     "ORDER BY batch_id FOR UPDATE", (ids,))
    return ids


def add_file_counts(conn: psycopg.Connection, loads: Sequence[FileLoad],
                    rejected: Mapping[FileKey, int], resolved: Mapping[FileKey, int]) -> None:
    """loaded += inserted rows; rejected += new dead letters - dead letters now loaded."""
    totals: dict[FileKey, list[int]] = defaultdict(lambda: [0, 0])
    entities: dict[FileKey, str] = {}
    for load in loads:
        key = load.file_key
        totals[key][0] += load.inserted
        entities[key] = load.entity
    for key, n in rejected.items():
        totals[key][1] += n
    for key, n in resolved.items():
        totals[key][1] -= n
    keys = sorted(k for k, (dl, dr) in totals.items() if dl or dr)
    if not keys:
        return
    conn.execute(
        """INSERT INTO ops.batch_files AS f (batch_id, file_name, entity, loaded, rejected)
           SELECT * FROM unnest(%s::text[], %s::text[], %s::text[], %s::int[], %s::int[])
           ON CONFLICT (batch_id, file_name) DO UPDATE
           SET loaded = f.loaded + excluded.loaded, rejected = f.rejected + excluded.rejected,
               entity = coalesce(f.entity, excluded.entity), updated_at = now()""",
        ([b for b, _ in keys], [f for _, f in keys], [entities.get(k) for k in keys],
         [totals[k][0] for k in keys], [totals[k][1] for k in keys]),
    )


def resolve_loaded_letters(conn: psycopg.Connection, tables: Mapping[str, StagingTable],
                           entities: Iterable[str], batch_ids: Sequence[str]
                           ) -> dict[FileKey, int]:
    """Mark unresolved dead letters whose record is now in staging (a replay loaded it);
    returns how many per file. Also covers a letter recorded after its record loaded."""
    if not batch_ids:
        return {}
    unresolved = {row[0] for row in conn.execute(
        "SELECT DISTINCT entity FROM ops.dead_letters "
        "WHERE batch_id = ANY(%s) AND resolved_at IS NULL", (list(batch_ids),))}
    resolved: Counter[FileKey] = Counter()
    for entity in sorted(unresolved & set(entities) & set(tables)):
        table = tables[entity]
        for batch_id, file_name in conn.execute(sql.SQL(RESOLVE_SQL).format(
                staging=sql.Identifier("staging", entity),
                line=sql.Identifier(table.line_column)),
                {"entity": entity, "batches": list(batch_ids)}).fetchall():
            resolved[(batch_id, file_name)] += 1
    return dict(resolved)


RESOLVE_SQL = """
UPDATE ops.dead_letters d
SET resolved_at = now(), replay_id = coalesce(s.replay_id, d.replay_id)
FROM {staging} s
WHERE d.entity = %(entity)s AND d.batch_id = ANY(%(batches)s) AND d.resolved_at IS NULL
  AND s.batch_id = d.batch_id AND s.source_file = d.source_file AND s.{line} = d.line_number
RETURNING d.batch_id, d.source_file
"""


def add_pending_dates(conn: psycopg.Connection, loads: Sequence[FileLoad]) -> None:
    """Remember the business dates touched until the batch's next BatchCompleted says them."""
    days: dict[str, set[date]] = defaultdict(set)
    for load in loads:
        days[load.batch_id].update(load.days)
    pairs = sorted((b, d) for b, ds in days.items() for d in ds)
    if pairs:
        conn.execute(
            """INSERT INTO ops.batch_dates AS bd (batch_id, day)
               SELECT * FROM unnest(%s::text[], %s::date[])
               ON CONFLICT (batch_id, day) DO UPDATE SET pending = true
               WHERE NOT bd.pending""",
            ([b for b, _ in pairs], [d for _, d in pairs]),
        )


def apply_control_events(conn: psycopg.Connection, events: Sequence[ControlEvent]) -> None:
    """Batch lifecycle events, in topic order; each upsert is idempotent on redelivery."""
    for event in events:
        if isinstance(event, BatchOpened):
            _batch_opened(conn, event)
        elif isinstance(event, BatchPublished):
            conn.execute(
                """UPDATE ops.batches SET published_at = coalesce(published_at, %s),
                   records_published = %s, business_date = coalesce(%s::date, business_date),
                   updated_at = now() WHERE batch_id = %s""",
                (event.occurred_at, event.records, event.business_date, event.batch_id))
        elif isinstance(event, FilePublished):
            _file_status(conn, event.batch_id, event.file, "published", entity=event.entity,
                         sha256=event.sha256, records=event.records)
        elif isinstance(event, FileQuarantined):
            _file_status(conn, event.batch_id, event.file, "quarantined", entity=event.entity,
                         code=event.code, reason=event.reason)
        elif isinstance(event, FileSkipped):
            _file_status(conn, event.batch_id, event.file, "skipped", entity=event.entity,
                         sha256=event.sha256,
                         reason=f"same content as batch {event.first_batch_id}")


def _batch_opened(conn: psycopg.Connection, event: BatchOpened) -> None:
    conn.execute(
        """UPDATE ops.batches SET opened_at = coalesce(opened_at, %s), files_expected = %s,
           business_date = coalesce(%s::date, business_date), updated_at = now()
           WHERE batch_id = %s""",
        (event.occurred_at, len(event.files), event.business_date, event.batch_id))
    files = sorted(event.files)
    conn.execute(
        """INSERT INTO ops.batch_files (batch_id, file_name)
           SELECT %s, f FROM unnest(%s::text[]) AS f ON CONFLICT DO NOTHING""",
        (event.batch_id, files))


def _file_status(conn: psycopg.Connection, batch_id: str, file_name: str, status: str, *,
                 entity: str | None, sha256: str | None = None, records: int | None = None,
                 code: str | None = None, reason: str | None = None) -> None:
    conn.execute(
        """INSERT INTO ops.batch_files AS f
             (batch_id, file_name, status, entity, sha256, records_published, code, reason)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (batch_id, file_name) DO UPDATE
           SET status = excluded.status, entity = coalesce(excluded.entity, f.entity),
               sha256 = coalesce(excluded.sha256, f.sha256),
               records_published = excluded.records_published,
               code = excluded.code, reason = excluded.reason, updated_at = now()""",
        (batch_id, file_name, status, entity, sha256, records, code, reason))
