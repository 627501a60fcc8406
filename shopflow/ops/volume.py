"""Daily record volume per entity (records published per business date, from the
ingestion ledger) against the median of the previous days: a sudden drop warns."""

from __future__ import annotations

from decimal import Decimal

import psycopg

from contracts import ENTITIES
from shopflow.ops.results import CheckOutcome

MIN_BASELINE_DAYS = 3

_DAILY = """
SELECT f.entity, b.business_date, sum(f.records_published)::float8
FROM ops.batch_files f JOIN ops.batches b USING (batch_id)
WHERE f.status = 'published' AND b.business_date IS NOT NULL AND f.entity IS NOT NULL
GROUP BY 1, 2 ORDER BY 1, 2
"""


def check_volumes(conn: psycopg.Connection, baseline_days: int,
                  drop_ratio: float) -> list[CheckOutcome]:
    daily: dict[str, list[tuple[object, float]]] = {e: [] for e in ENTITIES}
    for entity, day, records in conn.execute(_DAILY).fetchall():
        if entity in daily:
            daily[entity].append((day, records or 0.0))
    return [_check(entity, days[-(baseline_days + 1):], drop_ratio)
            for entity, days in daily.items()]


def _check(entity: str, days: list[tuple[object, float]], drop_ratio: float) -> CheckOutcome:
    name = f"volume.{entity}"
    if len(days) <= MIN_BASELINE_DAYS:
        return CheckOutcome(name, "pass", None, Decimal(str(drop_ratio)),
                            {"note": f"{len(days)} business days: not checked"})
    *baseline, (day, volume) = days
    values = sorted(v for _, v in baseline)
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    ratio = volume / median if median else 1.0
    details = {"date": str(day), "records": volume, "baseline_median": median,
               "baseline_days": len(values), "keys": [str(day)] if ratio < drop_ratio else []}
    return CheckOutcome(name, "warn" if ratio < drop_ratio else "pass",
                        Decimal(str(round(ratio, 4))), Decimal(str(drop_ratio)), details)
