"""GET /api/v1/builds: the run history of the warehouse build (ops.builds), newest first,
with each build's scope, duration and quality results."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Query

from services.dashboard_api.api.routes.common import pipeline_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.schemas.operations import (
    BuildList,
    BuildQuality,
    BuildRun,
    BuildScope,
)

router = pipeline_router("pipeline")

BuildStatus = Annotated[
    str | None,
    Query(pattern="^(running|succeeded|failed|failed_quality)$",
          description="Only builds with this status")]

_BUILDS = """
SELECT b.build_id, b.trigger, b.batch_id, b.status, b.started_at, b.finished_at, b.error,
       extract(epoch FROM b.finished_at - b.started_at)::float8 AS duration_seconds,
       coalesce(b.stats -> 'scope', '{}') AS scope_rows,
       coalesce(cardinality(b.dates), 0) AS dates, d.first_date, d.last_date,
       q.counts, q.failed, q.warned
FROM ops.builds b
CROSS JOIN LATERAL (SELECT min(x) AS first_date, max(x) AS last_date
                    FROM unnest(b.dates) AS x) d
CROSS JOIN LATERAL (
  SELECT jsonb_build_object('pass', count(*) FILTER (WHERE status = 'pass'),
                            'warn', count(*) FILTER (WHERE status = 'warn'),
                            'fail', count(*) FILTER (WHERE status = 'fail')) AS counts,
         coalesce(array_agg(check_name ORDER BY check_name)
                  FILTER (WHERE status = 'fail'), '{}') AS failed,
         coalesce(array_agg(check_name ORDER BY check_name)
                  FILTER (WHERE status = 'warn'), '{}') AS warned
  FROM ops.quality_checks WHERE build_id = b.build_id) q
WHERE (%(status)s::text IS NULL OR b.status = %(status)s)
  AND (%(after)s::bigint IS NULL OR b.build_id < %(after)s)
ORDER BY b.build_id DESC
LIMIT %(limit)s
"""


def _run(row: dict[str, Any]) -> BuildRun:
    rows = {k: int(v) for k, v in row["scope_rows"].items() if isinstance(v, int | float)}
    return BuildRun(
        build_id=row["build_id"], trigger=row["trigger"], batch_id=row["batch_id"],
        status=row["status"], started_at=row["started_at"], finished_at=row["finished_at"],
        duration_seconds=row["duration_seconds"], error=row["error"],
        scope=BuildScope(dates=row["dates"], first_date=row["first_date"],
                         last_date=row["last_date"], rows=rows),
        quality=BuildQuality(counts=row["counts"], failed=row["failed"], warned=row["warned"]))


@router.get("/builds", response_model=BuildList, summary="Warehouse build history")
def list_builds(
    conn: ConnDep,
    status: BuildStatus = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Builds per page")] = 20,
    cursor: CursorQuery = None,
) -> BuildList:
    """Builds, newest first: trigger, batch, status, duration, the dates and keys in
    scope, the quality results (counts and the names of failed and warned checks) and,
    for a failed build, the error."""
    filters = {"status": status}
    after = decode_cursor(cursor, "builds", filters, (int,))
    rows = fetch_all(conn, _BUILDS, {"status": status, "after": after[0] if after else None,
                                     "limit": limit + 1})
    page, more = split_page(rows, limit)
    next_cursor = encode_cursor("builds", filters, [page[-1]["build_id"]]) if more else None
    return BuildList(items=[_run(r) for r in page], has_more=more, next_cursor=next_cursor)
