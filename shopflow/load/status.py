"""Batch status per stage, read from the ledger (used by `shopflow batches` and the API)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import psycopg
from psycopg.rows import class_row

BATCHES_SQL = """
SELECT b.batch_id, b.business_date, b.opened_at, b.published_at,
       b.records_published,
       coalesce(f.loaded, 0)::int AS loaded, coalesce(f.rejected, 0)::int AS rejected,
       coalesce(f.files, 0)::int AS files, coalesce(f.quarantined, 0)::int AS quarantined,
       b.completed_at, b.completions, w.status AS build_status, w.finished_at AS built_at
FROM ops.batches b
LEFT JOIN LATERAL (
  SELECT sum(loaded) AS loaded, sum(rejected) AS rejected, count(*) AS files,
         count(*) FILTER (WHERE status = 'quarantined') AS quarantined
  FROM ops.batch_files WHERE batch_id = b.batch_id) f ON true
LEFT JOIN LATERAL (
  SELECT status, finished_at FROM ops.builds
  WHERE batch_id = b.batch_id ORDER BY build_id DESC LIMIT 1) w ON true
{where}
ORDER BY b.business_date DESC NULLS LAST, b.batch_id DESC
LIMIT %(limit)s
"""

FILES_SQL = """
SELECT file_name, entity, status, records_published, loaded, rejected, code, reason
FROM ops.batch_files WHERE batch_id = %s ORDER BY file_name
"""


@dataclass(frozen=True)
class BatchStatus:
    batch_id: str
    business_date: date | None
    opened_at: datetime | None
    published_at: datetime | None
    records_published: int | None
    loaded: int
    rejected: int
    files: int
    quarantined: int
    completed_at: datetime | None
    completions: int
    build_status: str | None
    built_at: datetime | None

    @property
    def stage(self) -> str:
        """The furthest stage reached: opened, published, complete, built (or build failed)."""
        if self.build_status == "succeeded":
            return "built"
        if self.build_status in ("failed", "failed_quality"):
            return f"build {self.build_status.replace('_', ' ')}"
        if self.completions:
            return "complete"
        if self.published_at is not None:
            return "published"
        return "opened" if self.opened_at is not None else "receiving"

    @property
    def pending(self) -> int | None:
        """Records published but neither loaded nor rejected yet."""
        if self.records_published is None:
            return None
        return self.records_published - self.loaded - self.rejected


@dataclass(frozen=True)
class FileStatus:
    file_name: str
    entity: str | None
    status: str
    records_published: int | None
    loaded: int
    rejected: int
    code: str | None
    reason: str | None


@dataclass(frozen=True)
class BatchDetail:
    batch: BatchStatus
    files: list[FileStatus] = field(default_factory=list)


def list_batches(conn: psycopg.Connection, limit: int = 100) -> list[BatchStatus]:
    with conn.cursor(row_factory=class_row(BatchStatus)) as cur:
        cur.execute(BATCHES_SQL.format(where=""), {"limit": limit})
        return cur.fetchall()


def batch_detail(conn: psycopg.Connection, batch_id: str) -> BatchDetail | None:
    with conn.cursor(row_factory=class_row(BatchStatus)) as cur:
        cur.execute(BATCHES_SQL.format(where="WHERE b.batch_id = %(batch_id)s"),
                    {"batch_id": batch_id, "limit": 1})
        batch = cur.fetchone()
    if batch is None:
        return None
    with conn.cursor(row_factory=class_row(FileStatus)) as cur:
        cur.execute(FILES_SQL, (batch_id,))
        return BatchDetail(batch=batch, files=cur.fetchall())
