"""GET /api/v1/batches[/{batch_id}]: each batch's progress through the stages.

The read model is shopflow.load.status, the same one `shopflow batches` and
`shopflow ingest --wait` use; this module only shapes it for the API.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import Path, Query

from services.dashboard_api.api.routes.common import pipeline_router
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
from shopflow.load import status

router = pipeline_router("pipeline")


def _batch(b: status.BatchStatus) -> dict[str, Any]:
    build = None if b.build_id is None or b.build_started_at is None else BuildRef(
        build_id=b.build_id, status=b.build_status or "", started_at=b.build_started_at,
        finished_at=b.build_finished_at)
    counts = BatchCounts(
        published=b.records_published, valid=b.loaded, rejected=b.rejected, loaded=b.loaded,
        open_dead_letters=b.open_dead_letters, files=b.files, files_quarantined=b.quarantined)
    return {"batch_id": b.batch_id, "business_date": b.business_date,
            "opened_at": b.opened_at, "published_at": b.published_at,
            "completed_at": b.completed_at, "completions": b.completions, "counts": counts,
            "stages": [Stage(**asdict(s)) for s in b.stages], "latest_build": build}


@router.get("/batches", response_model=BatchList, summary="Batches and their stages")
def list_batches(
    conn: ConnDep,
    limit: Annotated[int, Query(ge=1, le=200, description="Batches per page")] = 20,
    cursor: CursorQuery = None,
) -> BatchList:
    """Batches, newest first, with the status of each stage (ingest, validate, load,
    build) and their record counts."""
    after = decode_cursor(cursor, "batches", {}, (str,))
    rows = status.list_batches(conn, limit + 1, after[0] if after else None)
    page, more = split_page(rows, limit)
    next_cursor = encode_cursor("batches", {}, [page[-1].batch_id]) if more else None
    return BatchList(items=[Batch(**_batch(b)) for b in page], has_more=more,
                     next_cursor=next_cursor)


@router.get("/batches/{batch_id}", response_model=BatchDetail, summary="One batch",
            responses=problem_responses(404))
def get_batch(conn: ConnDep,
              batch_id: Annotated[str, Path(min_length=1, max_length=200)]) -> BatchDetail:
    """One batch: its stages and counts, each file's outcome and its open dead letters
    per error code."""
    detail = status.batch_detail(conn, batch_id)
    if detail is None:
        raise not_found(f"no batch {batch_id!r}")
    return BatchDetail(**_batch(detail.batch),
                       files=[BatchFile(**asdict(f)) for f in detail.files],
                       dead_letters_by_code=detail.dead_letters_by_code)
