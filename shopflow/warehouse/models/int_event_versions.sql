-- The latest delivery of each clickstream event in scope (later batch, then later
-- line), with its visitor: 'c:' || customer_id when the event names a customer,
-- else 'a:' || anonymous_id. Also records which visitors' sessions the scope
-- moves (where its events were before this build and where they are now).
CREATE TEMP TABLE _event_latest ON COMMIT DROP AS
SELECT DISTINCT ON (s.event_id) s.*,
       CASE WHEN s.customer_id IS NOT NULL THEN 'c:' || s.customer_id
            ELSE 'a:' || s.anonymous_id END AS visitor_id
FROM staging.clickstream s
JOIN _scope_events USING (event_id)
LEFT JOIN ops.batches b USING (batch_id)
ORDER BY s.event_id, b.business_date DESC NULLS LAST, s.batch_id DESC, s.source_file DESC,
         s.line_number DESC;
CREATE UNIQUE INDEX ON _event_latest (event_id);
ANALYZE _event_latest;

INSERT INTO _visitor_windows (visitor_id, lo, hi)
SELECT visitor_id, min(event_ts), max(event_ts)
FROM (
  SELECT f.visitor_id, f.event_ts FROM warehouse.fact_events f JOIN _scope_events USING (event_id)
  UNION ALL
  SELECT visitor_id, event_ts FROM _event_latest
) moved
GROUP BY visitor_id;

ANALYZE _visitor_windows;
