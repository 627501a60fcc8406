"""Freshness on a clock: when did each entity last receive a NEW business date?

Independent of builds: it reads only the ingestion ledger (ops.batches, ops.batch_files),
so a day with no batch at all, or a feed that stopped sending one entity, is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import psycopg

from contracts import ENTITIES

# Per entity: its newest business date among published files, and when that date first
# arrived (the batch was opened). A redelivery of an old date does not make data fresh.
_LATEST_DATES = """
WITH arrivals AS (
  SELECT f.entity, b.business_date, min(coalesce(b.opened_at, f.updated_at)) AS arrived_at
  FROM ops.batch_files f JOIN ops.batches b USING (batch_id)
  WHERE f.status = 'published' AND f.entity IS NOT NULL AND b.business_date IS NOT NULL
  GROUP BY f.entity, b.business_date
)
SELECT DISTINCT ON (entity) entity, business_date, arrived_at
FROM arrivals ORDER BY entity, business_date DESC
"""


@dataclass(frozen=True)
class Freshness:
    entity: str
    latest_business_date: date | None
    arrived_at: datetime | None  # when the latest business date first arrived
    expected_hours: float
    age_hours: float | None  # hours since then
    stale: bool

    @property
    def status(self) -> str:
        return "warn" if self.stale else "pass"


def read_freshness(conn: psycopg.Connection, expected_hours: dict[str, float],
                   now: datetime | None = None) -> list[Freshness]:
    """One entry per entity. An entity never seen is stale once any other entity has
    arrived (a feed that never started); before any data at all nothing is stale."""
    now = now or datetime.now(UTC)
    latest = {row[0]: (row[1], row[2]) for row in conn.execute(_LATEST_DATES).fetchall()}
    anything = bool(latest)
    result = []
    for entity in ENTITIES:
        limit = float(expected_hours[entity])
        business_date, arrived = latest.get(entity, (None, None))
        if arrived is None:
            result.append(Freshness(entity, None, None, limit, None, anything))
            continue
        age = (now - arrived) / timedelta(hours=1)
        result.append(Freshness(entity, business_date, arrived, limit, round(age, 3),
                                age > limit))
    return result
