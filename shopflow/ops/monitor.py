"""`shopflow monitor run`: the checks on a clock, stored as one run in ops.monitor_checks.

Freshness per entity (freshness.<entity>), outliers of order totals and line quantities
(outliers.*) and daily volume per entity (volume.<entity>): warn-level results with the
offending keys, shown by GET /api/v1/quality/history and as
shopflow_quality_check_status{source="monitor"} (alert ShopflowStatisticalCheckWarn).
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
from psycopg.types.json import Jsonb

from shopflow.db.connect import connect
from shopflow.ops.freshness import read_freshness
from shopflow.ops.outliers import LINE_QUANTITIES, ORDER_TOTALS, check_outliers
from shopflow.ops.results import CheckOutcome
from shopflow.ops.volume import check_volumes
from shopflow.runtime.settings import Settings


def run_monitor(settings: Settings) -> tuple[int, list[CheckOutcome]]:
    """Run every check once (as the transformer's role) and store the run."""
    with connect(settings.database_url_for("transformer")) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        outcomes = freshness_outcomes(conn, settings.freshness_hours)
        for measure in (ORDER_TOTALS, LINE_QUANTITIES):
            outcomes.append(check_outliers(conn, measure, settings.outlier_baseline_days,
                                           settings.outlier_z_threshold))
        outcomes.extend(check_volumes(conn, settings.outlier_baseline_days,
                                      settings.volume_drop_ratio))
        run_id = store(conn, outcomes)
        conn.commit()
    return run_id, outcomes


def freshness_outcomes(conn: psycopg.Connection,
                       hours: dict[str, float]) -> list[CheckOutcome]:
    return [CheckOutcome(
        f"freshness.{f.entity}", f.status,
        Decimal(str(f.age_hours)) if f.age_hours is not None else None,
        Decimal(str(f.expected_hours)),
        {"latest_business_date": f.latest_business_date and f.latest_business_date.isoformat(),
         "arrived_at": f.arrived_at and f.arrived_at.isoformat(),
         "keys": [f.entity] if f.stale else []})
        for f in read_freshness(conn, hours)]


def store(conn: psycopg.Connection, outcomes: list[CheckOutcome]) -> int:
    row = conn.execute("SELECT nextval('ops.monitor_run_seq')").fetchone()
    assert row is not None
    run_id = int(row[0])
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ops.monitor_checks"
            " (run_id, check_name, status, observed, threshold, details)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(run_id, o.check_name, o.status, o.observed, o.threshold, Jsonb(o.details))
             for o in outcomes])
    return run_id
