-- A touch that arrived, moved or left changes the attribution of the customer's
-- orders in the 30 days after it: their dates are rebuilt too.
-- (A full refresh rebuilds every date anyway.)
ANALYZE _touch_changes;

INSERT INTO _affected_dates
SELECT DISTINCT f.order_date
FROM _touch_changes t
JOIN warehouse.fact_orders f
  ON f.customer_id = t.customer_id
 AND f.order_ts >= t.touch_ts AND f.order_ts < t.touch_ts + interval '30 days'
WHERE NOT (SELECT full_refresh FROM _build)
ON CONFLICT DO NOTHING;

ANALYZE _affected_dates;
