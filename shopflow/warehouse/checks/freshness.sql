-- Freshness: the latest order date in the warehouse against the business date of
-- the newest batch ops.batches knows (the build's batch when it has one).
-- More than 1 day behind (or no order yet) warns, more than 7 days fails; no
-- reference date passes.
WITH reference AS (
  SELECT coalesce(
           (SELECT b.business_date FROM ops.batches b
            WHERE b.batch_id = (SELECT batch_id FROM _build)),
           (SELECT max(business_date) FROM ops.batches)) AS d
), latest AS (
  SELECT max(order_date) AS d FROM warehouse.fact_orders
)
SELECT 'freshness' AS check_name,
       CASE WHEN reference.d IS NULL OR reference.d - latest.d <= 1 THEN 'pass'
            WHEN reference.d - latest.d > 7 THEN 'fail'
            ELSE 'warn' END AS status,
       (reference.d - latest.d)::numeric AS observed, 1::numeric AS threshold,
       jsonb_build_object('reference_date', reference.d, 'latest_order_date', latest.d)
         AS details
FROM reference, latest;
