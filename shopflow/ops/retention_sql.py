"""The statements of `shopflow retention run` (one per kind of data, each returns the
number of rows it touched). See docs/operations.md ("Retention") and decision 0067.

Staging: only orders, order lines and clickstream events are pruned, because the build
reads only their LATEST version (same ordering as the warehouse models: updated_at, then
the later batch, file and line). Customers and products keep every version (SCD2
history), inventory, campaigns and reviews are small. A superseded version goes only when
it is older than the retention, the version that replaced it was loaded before the
latest committed build started (so it is in the warehouse), and it names the same
customer / campaign / product as the latest one (a full refresh infers dimension members
from every version's keys).
"""

from __future__ import annotations

_PRUNE = """
WITH built AS (
  SELECT max(started_at) AS at FROM ops.builds WHERE status IN ('succeeded', 'failed_quality')
), ranked AS (
  SELECT s.batch_id, s.source_file, s.{line}, s.loaded_at, {refs},
         row_number() OVER w AS version_rank, first_value(s.loaded_at) OVER w AS latest_loaded,
         {latest_refs}
  FROM staging.{table} s LEFT JOIN ops.batches b USING (batch_id)
  WINDOW w AS (PARTITION BY {key} ORDER BY {order})
), doomed AS (
  SELECT r.batch_id, r.source_file, r.{line} FROM ranked r, built
  WHERE r.version_rank > 1 AND r.loaded_at < now() - make_interval(days => %(days)s)
    AND r.latest_loaded < built.at AND {same_refs}
), gone AS (
  DELETE FROM staging.{table} s USING doomed d
  WHERE (s.batch_id, s.source_file, s.{line}) = (d.batch_id, d.source_file, d.{line})
  RETURNING 1
)
SELECT count(*) FROM gone
"""
_LATER_BATCH = "b.business_date DESC NULLS LAST, s.batch_id DESC, s.source_file DESC"


def _prune(table: str, key: str, order: str, refs: tuple[str, ...],
           line: str = "line_number") -> str:
    return _PRUNE.format(
        table=table, key=key, order=order, line=line,
        refs=", ".join(f"s.{r}" for r in refs),
        latest_refs=", ".join(f"first_value(s.{r}) OVER w AS latest_{r}" for r in refs),
        same_refs=" AND ".join(f"r.{r} IS NOT DISTINCT FROM r.latest_{r}" for r in refs))


STAGING_PRUNE = {
    "orders": _prune("orders", "s.order_id",
                     f"s.updated_at DESC, {_LATER_BATCH}, s.line_number DESC",
                     ("customer_id", "campaign_id")),
    "order_items": _prune("order_items", "s.order_id, s.line_number",
                          f"{_LATER_BATCH}, s.source_line DESC", ("product_id",),
                          line="source_line"),
    "clickstream": _prune("clickstream", "s.event_id",
                          f"{_LATER_BATCH}, s.line_number DESC", ("event_id",)),
}

# Resolved letters keep their ledger rows (counts, codes, audit) but not their bytes.
DEAD_LETTER_PAYLOADS = """
WITH old AS (
  SELECT batch_id, source_file, line_number FROM ops.dead_letters
  WHERE resolved_at < now() - make_interval(days => %(days)s)
), letters AS (
  UPDATE ops.dead_letters d SET payload = NULL, record_key = NULL FROM old
  WHERE (d.batch_id, d.source_file, d.line_number)
        = (old.batch_id, old.source_file, old.line_number)
    AND (d.payload IS NOT NULL OR d.record_key IS NOT NULL)
  RETURNING 1
), attempts AS (
  UPDATE ops.dead_letter_attempts a SET payload = NULL, record_key = NULL FROM old
  WHERE (a.batch_id, a.source_file, a.line_number)
        = (old.batch_id, old.source_file, old.line_number)
    AND (a.payload IS NOT NULL OR a.record_key IS NOT NULL)
  RETURNING 1
)
SELECT (SELECT count(*) FROM letters) + (SELECT count(*) FROM attempts)
"""
