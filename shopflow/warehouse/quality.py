"""Data-quality checks: the dbt tests tagged `quality` (warehouse/tests/quality/*.sql).

Each test returns the failing rows of the build's scope; dbt counts them (or computes its
`fail_calc`), and the count is the check's observed value. Its status follows the test's
meta: `fail` above `fail_above` (default 0), `warn` above `warn_above` (default: never).
The results are stored in ops.quality_checks with the build (docs/decisions/0038).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

QUALITY_TAG = "quality"


@dataclass(frozen=True)
class CheckResult:
    check_name: str
    status: str  # pass | warn | fail
    observed: Decimal | None
    threshold: Decimal | None
    details: dict[str, Any]


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def check_status(observed: Decimal | None, meta: dict[str, Any]) -> str:
    """pass | warn | fail for an observed value under the test's thresholds."""
    fail_above, warn_above = meta.get("fail_above", 0), meta.get("warn_above")
    if observed is None:
        return "pass"
    if fail_above is not None and observed > Decimal(str(fail_above)):
        return "fail"
    if warn_above is not None and observed > Decimal(str(warn_above)):
        return "warn"
    return "pass"


def check_result(run_result: Any) -> CheckResult:
    """One dbt test result (a RunResult of a quality test) as a check."""
    node = run_result.node
    meta = dict(node.config.meta or {})
    observed = _decimal(run_result.failures)
    threshold = meta.get("warn_above") if meta.get("warn_above") is not None \
        else meta.get("fail_above", 0)
    details = {"dbt_test": node.unique_id,
               **{k: v for k, v in meta.items() if k not in ("warn_above", "fail_above")}}
    return CheckResult(node.name, check_status(observed, meta), observed, _decimal(threshold),
                       details)


def quality_results(run_results: list[Any]) -> list[CheckResult]:
    return [check_result(r) for r in run_results
            if r.node.resource_type == "test" and QUALITY_TAG in (r.node.tags or [])]


def record_checks(cursor: Any, build_id: int, results: list[CheckResult]) -> None:
    """Insert the checks of a build (on the build's own DB-API cursor)."""
    cursor.executemany(
        "INSERT INTO ops.quality_checks"
        " (build_id, check_name, status, observed, threshold, details)"
        " VALUES (%s, %s, %s, %s, %s, %s::jsonb)",
        [(build_id, r.check_name, r.status, r.observed, r.threshold, json.dumps(r.details))
         for r in results])


def summarize(results: list[CheckResult]) -> dict[str, Any]:
    counts = {status: sum(r.status == status for r in results)
              for status in ("pass", "warn", "fail")}
    return {**counts, "failed": sorted(r.check_name for r in results if r.status == "fail")}
