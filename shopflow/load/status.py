"""Each batch's progress through the stages, read from the ledgers: the one read model
behind `shopflow batches`, `shopflow ingest --wait` and GET /api/v1/batches.

Stages are ingest, validate, load and build, each pending, running, done or failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import psycopg
from psycopg.rows import class_row

StageName = Literal["ingest", "validate", "load", "build"]
StageStatus = Literal["pending", "running", "done", "failed"]

# Newest batch id first (generated and dated ids sort by time); keyset paging on batch_id.
BATCHES_SQL = """
SELECT b.batch_id, b.business_date, b.opened_at, b.published_at, b.completed_at,
       b.completions, b.records_published, f.files::int, f.quarantined::int,
       f.loaded::int, f.rejected::int,
       (SELECT count(*) FROM ops.dead_letters d
         WHERE d.batch_id = b.batch_id AND d.resolved_at IS NULL)::int AS open_dead_letters,
       w.build_id, w.status AS build_status, w.started_at AS build_started_at,
       w.finished_at AS build_finished_at, w.batch_sequence
FROM ops.batches b
CROSS JOIN LATERAL (
  SELECT count(*) AS files, count(*) FILTER (WHERE status = 'quarantined') AS quarantined,
         coalesce(sum(loaded), 0) AS loaded, coalesce(sum(rejected), 0) AS rejected
  FROM ops.batch_files WHERE batch_id = b.batch_id) f
LEFT JOIN LATERAL (
  SELECT build_id, status, started_at, finished_at, batch_sequence FROM ops.builds
  WHERE batch_id = b.batch_id ORDER BY build_id DESC LIMIT 1) w ON true
WHERE (%(batch_id)s::text IS NULL OR b.batch_id = %(batch_id)s)
  AND (%(after)s::text IS NULL OR b.batch_id < %(after)s)
ORDER BY b.batch_id DESC
LIMIT %(limit)s
"""

FILES_SQL = """
SELECT file_name, entity, status, records_published, loaded, rejected, code, reason
FROM ops.batch_files WHERE batch_id = %s ORDER BY file_name
"""

CODES_SQL = """
SELECT code, count(*) AS letters FROM ops.dead_letters, unnest(codes) AS code
WHERE batch_id = %s AND resolved_at IS NULL GROUP BY code ORDER BY code
"""


@dataclass(frozen=True)
class Stage:
    name: StageName
    status: StageStatus
    detail: str | None = None


@dataclass(frozen=True)
class BatchStatus:
    batch_id: str
    business_date: date | None
    opened_at: datetime | None
    published_at: datetime | None
    completed_at: datetime | None
    completions: int
    records_published: int | None
    files: int
    quarantined: int
    loaded: int
    rejected: int
    open_dead_letters: int
    build_id: int | None
    build_status: str | None
    build_started_at: datetime | None
    build_finished_at: datetime | None
    batch_sequence: int | None

    @property
    def stages(self) -> list[Stage]:
        complete = self.completed_at is not None
        accounted = self.loaded + self.rejected
        return [
            Stage("ingest", "done" if self.published_at is not None else "running"),
            Stage("validate", "done" if complete else "running" if accounted else "pending",
                  f"{self.rejected} rejected" if self.rejected else None),
            Stage("load", "done" if complete else "running" if self.loaded else "pending"),
            Stage("build", self._build_status(),
                  self.build_status if self.build_status not in (None, "succeeded") else None),
        ]

    def _build_status(self) -> StageStatus:
        if self.build_status == "running":
            return "running"
        if self.build_status is None or (self.batch_sequence or 0) < self.completions:
            return "pending"  # no build yet for the latest completion
        return "done" if self.build_status == "succeeded" else "failed"

    @property
    def stage(self) -> str:
        """The furthest stage started, with its status: 'load running', 'build done'."""
        started = [s for s in self.stages if s.status != "pending"]
        last = started[-1]  # ingest is never pending
        return f"{last.name} {last.status}"

    @property
    def finished(self) -> bool:
        """Built for the latest completion, or the build failed: nothing more will happen."""
        return self.stages[-1].status in ("done", "failed")

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
    dead_letters_by_code: dict[str, int] = field(default_factory=dict)


def _batches(conn: psycopg.Connection, batch_id: str | None, after: str | None,
             limit: int) -> list[BatchStatus]:
    with conn.cursor(row_factory=class_row(BatchStatus)) as cur:
        cur.execute(BATCHES_SQL, {"batch_id": batch_id, "after": after, "limit": limit})
        return cur.fetchall()


def list_batches(conn: psycopg.Connection, limit: int = 100,
                 after: str | None = None) -> list[BatchStatus]:
    """Newest first; `after` a batch id from the previous page."""
    return _batches(conn, None, after, limit)


def batch_status(conn: psycopg.Connection, batch_id: str) -> BatchStatus | None:
    found = _batches(conn, batch_id, None, 1)
    return found[0] if found else None


def batch_detail(conn: psycopg.Connection, batch_id: str) -> BatchDetail | None:
    batch = batch_status(conn, batch_id)
    if batch is None:
        return None
    with conn.cursor(row_factory=class_row(FileStatus)) as cur:
        cur.execute(FILES_SQL, (batch_id,))
        files = cur.fetchall()
    codes = {code: letters for code, letters in conn.execute(CODES_SQL, (batch_id,))}
    return BatchDetail(batch=batch, files=files, dead_letters_by_code=codes)
