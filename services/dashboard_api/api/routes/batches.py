"""GET /api/v1/batches[/{batch_id}]: each batch's progress through the stages.

The query lives here (shopflow/load has no reusable status query yet); it reads
only ops.* (the loader's ledger, the dead letters and the build ledger).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Query

from services.dashboard_api.api.routes.common import pipeline_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.problems import not_found, problem_responses
from services.dashboard_api.schemas.pipeline import (
    Batch,
    BatchCounts,
    BatchDetail,
    BatchFile,
    BatchList,
    BuildRef,
    Stage,
)

router = pipeline_router("pipeline")

# Newest batch id first (generated and dated ids sort by time).
_BATCHES = """
SELECT b.batch_id, b.business_date, b.opened_at, b.published_at, b.completed_at,
       b.completions, b.records_published, f.files, f.quarantined, f.loaded, f.rejected,
       (SELECT count(*) FROM ops.dead_letters d
         WHERE d.batch_id = b.batch_id AND d.resolved_at IS NULL) AS open_dead_letters,
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
_FILES = """
SELECT file_name, entity, status, records_published, loaded, rejected, code, reason
FROM ops.batch_files WHERE batch_id = %s ORDER BY file_name
"""
_CODES = """
SELECT code, count(*) AS letters FROM ops.dead_letters, unnest(codes) AS code
WHERE batch_id = %s AND resolved_at IS NULL GROUP BY code ORDER BY code
"""


def _stages(row: dict[str, Any]) -> list[Stage]:
    published, complete = row["published_at"] is not None, row["completed_at"] is not None
    build = row["build_status"]
    if build is None or (row["batch_sequence"] or 0) < row["completions"]:
        build_stage = "pending" if build != "running" else "running"
    else:
        build_stage = {"succeeded": "done", "running": "running"}.get(build, "failed")
    accounted = row["loaded"] + row["rejected"]
    return [
        Stage(name="ingest", status="done" if published else "running"),
        Stage(name="validate", status="done" if complete else ("running" if accounted else
                                                                 "pending"),
              detail=f"{row['rejected']} rejected" if row["rejected"] else None),
        Stage(name="load", status="done" if complete else ("running" if row["loaded"] else
                                                             "pending")),
        Stage(name="build", status=build_stage,
              detail=build if build not in (None, "succeeded") else None),
    ]


def _batch(row: dict[str, Any]) -> dict[str, Any]:
    build = None if row["build_id"] is None else BuildRef(
        build_id=row["build_id"], status=row["build_status"],
        started_at=row["build_started_at"], finished_at=row["build_finished_at"])
    counts = BatchCounts(
        published=row["records_published"], valid=row["loaded"], rejected=row["rejected"],
        loaded=row["loaded"], open_dead_letters=row["open_dead_letters"], files=row["files"],
        files_quarantined=row["quarantined"])
    return {"batch_id": row["batch_id"], "business_date": row["business_date"],
            "opened_at": row["opened_at"], "published_at": row["published_at"],
            "completed_at": row["completed_at"], "completions": row["completions"],
            "counts": counts, "stages": _stages(row), "latest_build": build}


@router.get("/batches", response_model=BatchList, summary="Batches and their stages")
def list_batches(
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Batches per page")] = 20,
    cursor: CursorQuery = None,
) -> BatchList:
    """Batches, newest first, with the status of each stage (ingest, validate, load,
    build) and their record counts."""
    after = decode_cursor(cursor, "batches", {}, (str,))
    rows = fetch_all(conn, _BATCHES, {"batch_id": None, "after": after[0] if after else None,
                                      "limit": limit + 1})
    page, more = split_page(rows, limit)
    next_cursor = encode_cursor("batches", {}, [page[-1]["batch_id"]]) if more else None
    return BatchList(items=[Batch(**_batch(r)) for r in page], has_more=more,
                     next_cursor=next_cursor)


@router.get("/batches/{batch_id}", response_model=BatchDetail, summary="One batch",
            responses=problem_responses(404))
def get_batch(conn: ConnDep,
              batch_id: Annotated[str, Path(min_length=1, max_length=200)]) -> BatchDetail:
    """One batch: its stages and counts, each file's outcome and its open dead letters
    per error code."""
    rows = fetch_all(conn, _BATCHES, {"batch_id": batch_id, "after": None, "limit": 1})
    if not rows:
        raise not_found(f"no batch {batch_id!r}")
    files = [BatchFile(**f) for f in fetch_all(conn, _FILES, (batch_id,))]
    codes = {r["code"]: r["letters"] for r in fetch_all(conn, _CODES, (batch_id,))}
    return BatchDetail(**_batch(rows[0]), files=files, dead_letters_by_code=codes)
