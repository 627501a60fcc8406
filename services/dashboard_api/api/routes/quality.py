"""GET /api/v1/quality and /api/v1/warehouse: the latest build and its checks."""

from __future__ import annotations

from typing import Any

from services.dashboard_api.api.routes.common import pipeline_router
from services.dashboard_api.db import fetch_all, fetch_one
from services.dashboard_api.deps import ConnDep
from services.dashboard_api.schemas.pipeline import BuildRef, Quality, QualityCheck, WarehouseInfo

router = pipeline_router("pipeline")

_LATEST_CHECKED_BUILD = """
SELECT b.build_id, b.status, b.started_at, b.finished_at FROM ops.builds b
WHERE EXISTS (SELECT 1 FROM ops.quality_checks q WHERE q.build_id = b.build_id)
ORDER BY b.build_id DESC LIMIT 1
"""
_CHECKS = """
SELECT check_name, status, observed, threshold, details, checked_at
FROM ops.quality_checks WHERE build_id = %s
ORDER BY CASE status WHEN 'fail' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, check_name
"""
_LATEST_BUILD = """
SELECT build_id, status, started_at, finished_at FROM ops.builds
ORDER BY build_id DESC LIMIT 1
"""
_WAREHOUSE = """
SELECT (SELECT min(sales_date) FROM marts.daily_sales) AS first_date,
       (SELECT as_of_date FROM marts.warehouse_as_of) AS last_date,
       (SELECT count(*) FROM ops.batches) AS batches,
       (SELECT count(*) FROM ops.dead_letters WHERE resolved_at IS NULL) AS open_dead_letters
"""


def _number(value: Any) -> float | None:
    return float(value) if value is not None else None


@router.get("/quality", response_model=Quality, summary="Latest data-quality checks")
def get_quality(conn: ConnDep) -> Quality:
    """The data-quality checks of the latest build that ran them (row-count
    reconciliation, null keys, orphans, negative amounts, freshness, ...). A failed
    check shows here as `fail`; `status` is the worst of them."""
    build = fetch_one(conn, _LATEST_CHECKED_BUILD)
    if build is None:
        return Quality(build=None, status="none", counts={}, checks=[])
    checks = [QualityCheck(check_name=r["check_name"], status=r["status"],
                           observed=_number(r["observed"]), threshold=_number(r["threshold"]),
                           details=r["details"] or {}, checked_at=r["checked_at"])
              for r in fetch_all(conn, _CHECKS, (build["build_id"],))]
    counts = {s: sum(c.status == s for c in checks) for s in ("pass", "warn", "fail")}
    worst = next((s for s in ("fail", "warn", "pass") if counts[s]), "none")
    return Quality(build=BuildRef(**build), status=worst,
                   counts=counts, checks=checks)


@router.get("/warehouse", response_model=WarehouseInfo, summary="What the warehouse holds")
def get_warehouse(conn: ConnDep) -> WarehouseInfo:
    """The dates the warehouse covers (the dashboard's default range ends at
    `last_date`), the latest build and the pipeline's size."""
    row = fetch_one(conn, _WAREHOUSE)
    assert row is not None
    build = fetch_one(conn, _LATEST_BUILD)
    return WarehouseInfo(first_date=row["first_date"], last_date=row["last_date"],
                         latest_build=BuildRef(**build) if build else None,
                         batches=row["batches"], open_dead_letters=row["open_dead_letters"])
