"""Batch completion, decided in the database by one conditional UPDATE.

A batch is complete when BatchPublished was seen, the files announced as published
add up to its record count, and every published file has
``loaded + rejected = records_published``. The UPDATE bumps ``completions`` only
when the batch is complete and its loaded count differs from the one announced
last time (first completion, or a replay that loaded more records since), so
however many loaders run, each state of a batch is announced once. The event
goes into the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

from shopflow.events import BatchCompleted, encode_event
from shopflow.load import outbox

COMPLETE_SQL = """
WITH totals AS (
  SELECT b.batch_id,
         coalesce(sum(f.loaded), 0)::int AS loaded,
         coalesce(sum(f.rejected), 0)::int AS rejected,
         coalesce(bool_and(f.status <> 'published'
                           OR f.loaded + f.rejected = f.records_published), true) AS accounted,
         coalesce(sum(f.records_published) FILTER (WHERE f.status = 'published'), 0)
           AS announced
  FROM ops.batches b LEFT JOIN ops.batch_files f USING (batch_id)
  WHERE b.batch_id = ANY(%(ids)s)
  GROUP BY b.batch_id
)
UPDATE ops.batches b
SET completions = b.completions + 1, completed_at = coalesce(b.completed_at, now()),
    completed_total = t.loaded + t.rejected, loaded_at_completion = t.loaded,
    updated_at = now()
FROM totals t
WHERE b.batch_id = t.batch_id AND b.published_at IS NOT NULL AND t.accounted
  AND t.announced = b.records_published
  AND (b.completions = 0 OR t.loaded <> b.loaded_at_completion)
RETURNING b.batch_id, b.completions, b.business_date, t.loaded, t.rejected
"""

TAKE_DATES_SQL = """
UPDATE ops.batch_dates SET pending = false
WHERE batch_id = %s AND pending
RETURNING day
"""


def complete_batches(conn: psycopg.Connection, batch_ids: Sequence[str],
                     control_topic: str) -> list[BatchCompleted]:
    """Complete what can be completed among these (locked) batches; queue the events."""
    if not batch_ids:
        return []
    events = []
    for batch_id, sequence, business_date, loaded, rejected in conn.execute(
            COMPLETE_SQL, {"ids": list(batch_ids)}).fetchall():
        days = sorted(row[0] for row in conn.execute(TAKE_DATES_SQL, (batch_id,)))
        event = BatchCompleted(
            batch_id=batch_id, sequence=sequence, loaded=loaded, rejected=rejected,
            business_date=business_date.isoformat() if business_date else None,
            dates=[d.isoformat() for d in days])
        outbox.enqueue(conn, control_topic, batch_id, encode_event(event))
        events.append(event)
    return events
