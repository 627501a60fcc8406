-- Row reconciliation, staging -> facts, over the build's scope: every distinct
-- natural key in staging has exactly one fact row. Fails on any difference.
WITH counts AS (
  SELECT 'reconcile_orders' AS check_name,
         (SELECT count(DISTINCT o.order_id) FROM staging.orders o JOIN _scope_orders USING (order_id)) AS expected,
         (SELECT count(*) FROM warehouse.fact_orders f JOIN _scope_orders USING (order_id)) AS actual
  UNION ALL
  SELECT 'reconcile_order_items',
         (SELECT count(*) FROM (SELECT DISTINCT i.order_id, i.line_number FROM staging.order_items i
                                JOIN _scope_orders USING (order_id)) k),
         (SELECT count(*) FROM warehouse.fact_order_items f JOIN _scope_orders USING (order_id))
  UNION ALL
  SELECT 'reconcile_clickstream',
         (SELECT count(*) FROM _scope_events),
         (SELECT count(*) FROM warehouse.fact_events f JOIN _scope_events USING (event_id))
  UNION ALL
  SELECT 'reconcile_inventory',
         (SELECT count(*) FROM (SELECT DISTINCT i.snapshot_date, i.product_id, i.warehouse_id
                                FROM staging.inventory i
                                JOIN _scope_inventory USING (snapshot_date, product_id)) k),
         (SELECT count(*) FROM warehouse.fact_inventory_daily f
                          JOIN _scope_inventory USING (snapshot_date, product_id))
  UNION ALL
  SELECT 'reconcile_reviews',
         (SELECT count(*) FROM _scope_reviews),
         (SELECT count(*) FROM warehouse.fact_reviews f JOIN _scope_reviews USING (review_id))
)
SELECT check_name, CASE WHEN expected = actual THEN 'pass' ELSE 'fail' END AS status,
       (actual - expected)::numeric AS observed, 0::numeric AS threshold,
       jsonb_build_object('staging_keys', expected, 'fact_rows', actual) AS details
FROM counts;
