"""GET /api/v1/quality/history (one check's results over time, from builds and from the
monitor) and GET /api/v1/freshness (each entity's newest business date on the clock).

No ETag: both change with time and with monitor runs, which the pipeline tag ignores.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, SettingsDep, require_metrics
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.problems import bad_request, not_found, problem_responses
from services.dashboard_api.schemas.operations import (
    CheckHistory,
    CheckResult,
    EntityFreshness,
    FreshnessReport,
    MonitorRun,
)
from shopflow.ops.freshness import read_freshness

# metrics:read like the other pipeline routes (deps.MetricsReader), but without their ETag.
router = APIRouter(prefix="/api/v1", tags=["pipeline"], dependencies=[Depends(require_metrics)],
                   responses=problem_responses(400, 401, 403, 404, 422, 503))

# Newest first; the key (checked_at, source, run_id) is unique per check.
_HISTORY = """
SELECT * FROM (
  SELECT 'build' AS source, build_id AS run_id, check_name, status, observed, threshold,
         details, checked_at FROM ops.quality_checks WHERE check_name = %(check)s
  UNION ALL
  SELECT 'monitor', run_id, check_name, status, observed, threshold, details, checked_at
  FROM ops.monitor_checks WHERE check_name = %(check)s
) h
WHERE (%(source)s::text IS NULL OR source = %(source)s)
  AND (%(at)s::timestamptz IS NULL
       OR (checked_at, source, run_id) < (%(at)s::timestamptz, %(src)s::text, %(id)s::bigint))
ORDER BY checked_at DESC, source DESC, run_id DESC
LIMIT %(limit)s
"""


_LATEST_MONITOR_RUN = """
SELECT 'monitor' AS source, run_id, check_name, status, observed, threshold, details,
       checked_at
FROM ops.monitor_checks WHERE run_id = (SELECT max(run_id) FROM ops.monitor_checks)
ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, check_name
"""


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


def _result(row: dict[str, Any]) -> CheckResult:
    return CheckResult(**{**row, "observed": _number(row["observed"]),
                          "threshold": _number(row["threshold"]),
                          "details": row["details"] or {}})


@router.get("/quality/history", response_model=CheckHistory,
            summary="One quality check's results over time")
def quality_history(
    conn: ConnDep,
    check: Annotated[str, Query(min_length=1, max_length=200,
                                description="Check name, e.g. negative_amounts")],
    source: Annotated[str | None, Query(pattern="^(build|monitor)$",
                                        description="Only results of builds or monitor")] = None,
    limit: Annotated[int, Query(ge=1, le=200, description="Results per page")] = 50,
    cursor: CursorQuery = None,
) -> CheckHistory:
    """Every recorded result of one check, newest first: from warehouse builds
    (ops.quality_checks) and from `shopflow monitor run` (freshness per entity,
    statistical outliers, volume). 404 when the check never ran."""
    filters = {"check": check, "source": source}
    key = decode_cursor(cursor, "quality-history", filters, (str, str, int))
    at, src, run_id = key if key else (None, None, None)
    if at is not None:
        try:
            datetime.fromisoformat(at)
        except ValueError:
            raise bad_request("the cursor is not valid for this list",
                              "invalid-cursor") from None
    rows = fetch_all(conn, _HISTORY, {"check": check, "source": source, "at": at, "src": src,
                                      "id": run_id, "limit": limit + 1})
    if not rows and cursor is None:
        raise not_found(f"no results for a check named {check!r}")
    page, more = split_page(rows, limit)
    last = page[-1] if more else None
    next_cursor = encode_cursor("quality-history", filters, [
        last["checked_at"].isoformat(), last["source"], last["run_id"]]) if last else None
    return CheckHistory(items=[_result(r) for r in page], has_more=more,
                        next_cursor=next_cursor)


@router.get("/freshness", response_model=FreshnessReport, summary="Freshness per entity")
def freshness(conn: ConnDep, settings: SettingsDep) -> FreshnessReport:
    """For every source entity: the newest business date received, when it arrived and
    whether that was longer ago than the entity's expected interval
    (`SHOPFLOW_FRESHNESS_HOURS`). Read from the ingestion ledger, independent of builds."""
    entries = read_freshness(conn, settings.freshness_hours)
    items = [EntityFreshness(entity=e.entity, latest_business_date=e.latest_business_date,
                             arrived_at=e.arrived_at, age_hours=e.age_hours,
                             expected_hours=e.expected_hours, stale=e.stale)
             for e in entries]
    return FreshnessReport(status="stale" if any(e.stale for e in entries) else "fresh",
                           entities=items)


@router.get("/monitor", response_model=MonitorRun, summary="Latest checks on a clock")
def latest_monitor_run(conn: ConnDep) -> MonitorRun:
    """The results of the latest `shopflow monitor run`: freshness per entity, outliers
    of order totals and line quantities, daily volume per entity (warn-level, with the
    offending keys in `details.keys`), worst first."""
    checks = [_result(r) for r in fetch_all(conn, _LATEST_MONITOR_RUN)]
    if not checks:
        return MonitorRun(run_id=None, checked_at=None, status="none", checks=[])
    worst = next(s for s in ("fail", "warn", "pass") if any(c.status == s for c in checks))
    return MonitorRun(run_id=checks[0].run_id, checked_at=max(c.checked_at for c in checks),
                      status=worst, checks=checks)
