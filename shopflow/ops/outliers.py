"""Statistical checks: values of the latest business day against a trailing baseline.

Robust z-score: |x - median| / scale, where scale = 1.4826 * MAD (median absolute
deviation) of the baseline, or 1.2533 * the mean absolute deviation when more than half
the baseline equals its median (MAD = 0, common for quantities). Above the threshold a
row is an outlier; results are warn-level, with the offending rows' keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg

from shopflow.ops.results import CheckOutcome

MIN_BASELINE_ROWS = 20
MAX_KEYS = 50


@dataclass(frozen=True)
class Measure:
    check_name: str
    table: str
    value: str
    key: str
    day: str


ORDER_TOTALS = Measure("outliers.order_totals", "warehouse.fact_orders", "net_amount",
                       "order_id", "order_date")
LINE_QUANTITIES = Measure("outliers.line_quantities", "warehouse.fact_order_items",
                          "quantity", "order_id || ':' || line_number", "order_date")

_BASELINE = """
WITH target AS (SELECT max({day}) AS d FROM {table}),
base AS (SELECT {value}::float8 AS x FROM {table}, target
         WHERE {day} >= target.d - %(days)s AND {day} < target.d),
med AS (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) AS m, count(*) AS n FROM base)
SELECT target.d, med.m, med.n,
       (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x - med.m)) FROM base),
       (SELECT avg(abs(x - med.m)) FROM base)
FROM target, med
"""
_OFFENDERS = """
SELECT {key} AS k, {value}::float8 AS x FROM {table}
WHERE {day} = %(day)s AND abs({value}::float8 - %(median)s) > %(limit)s
ORDER BY abs({value}::float8 - %(median)s) DESC, 1
"""


def check_outliers(conn: psycopg.Connection, measure: Measure, baseline_days: int,
                   z_threshold: float) -> CheckOutcome:
    fmt = {"table": measure.table, "value": measure.value, "key": measure.key,
           "day": measure.day}
    row = conn.execute(_BASELINE.format(**fmt), {"days": baseline_days}).fetchone()
    day, median, rows, mad, mean_dev = row if row else (None, None, 0, None, None)
    threshold = Decimal(str(z_threshold))
    if day is None or rows < MIN_BASELINE_ROWS:
        return CheckOutcome(measure.check_name, "pass", Decimal(0), threshold,
                            {"date": _iso(day), "baseline_rows": rows,
                             "note": f"baseline under {MIN_BASELINE_ROWS} rows: not checked"})
    scale = 1.4826 * mad if mad else 1.2533 * (mean_dev or 0.0)
    offenders = conn.execute(_OFFENDERS.format(**fmt), {
        "day": day, "median": median, "limit": z_threshold * scale}).fetchall()
    details: dict[str, Any] = {
        "date": _iso(day), "median": median, "scale": round(scale, 6), "baseline_rows": rows,
        "baseline_days": baseline_days, "outliers": len(offenders),
        "keys": [k for k, _ in offenders[:MAX_KEYS]],
        "values": [x for _, x in offenders[:MAX_KEYS]]}
    return CheckOutcome(measure.check_name, "warn" if offenders else "pass",
                        Decimal(len(offenders)), threshold, details)


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None
