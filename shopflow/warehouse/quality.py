"""Data-quality checks run inside the build transaction, stored in ops.quality_checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from shopflow.warehouse.models import CHECKS, check_sql


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    status: str  # pass | warn | fail
    observed: Decimal | None
    threshold: Decimal | None
    details: dict[str, Any]


def run_checks(conn: psycopg.Connection, build_id: int) -> list[CheckResult]:
    """Run every check over the build's scope and record the results."""
    results: list[CheckResult] = []
    for name in CHECKS:
        rows = conn.execute(check_sql(name)).fetchall()
        results.extend(CheckResult(*row) for row in rows)
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO ops.quality_checks"
            " (build_id, check_name, status, observed, threshold, details)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(build_id, r.check_name, r.status, r.observed, r.threshold, Jsonb(r.details))
             for r in results],
        )
    return results


def summarize(results: list[CheckResult]) -> dict[str, Any]:
    counts = {status: sum(r.status == status for r in results)
              for status in ("pass", "warn", "fail")}
    return {**counts, "failed": sorted(r.check_name for r in results if r.status == "fail")}
