-- Null or orphan dimension keys in the facts of the build's scope. A missing
-- dimension row would mean a fact was silently detached: fail. Order lines still
-- waiting for their order header are reported as a warning (they are not revenue).
-- (The scoped facts are materialized first so that the filters never turn into a
-- scan of the whole fact table.)
WITH orders AS MATERIALIZED (
  SELECT f.customer_key, f.date_key
  FROM _scope_orders s JOIN warehouse.fact_orders f USING (order_id)
), items AS MATERIALIZED (
  SELECT f.product_key, f.customer_key, f.order_ts
  FROM _scope_orders s JOIN warehouse.fact_order_items f USING (order_id)
), inventory AS MATERIALIZED (
  SELECT f.product_key
  FROM _scope_inventory s JOIN warehouse.fact_inventory_daily f USING (snapshot_date, product_id)
), null_keys AS (
  SELECT (SELECT count(*) FROM orders WHERE customer_key IS NULL OR date_key IS NULL)
       + (SELECT count(*) FROM items
          WHERE product_key IS NULL OR (order_ts IS NOT NULL AND customer_key IS NULL))
       + (SELECT count(*) FROM inventory WHERE product_key IS NULL) AS n
), orphans AS (
  SELECT (SELECT count(*) FROM orders o
          WHERE NOT EXISTS (SELECT 1 FROM warehouse.dim_customer d
                            WHERE d.customer_key = o.customer_key))
       + (SELECT count(*) FROM items i
          WHERE NOT EXISTS (SELECT 1 FROM warehouse.dim_product d
                            WHERE d.product_key = i.product_key))
       + (SELECT count(*) FROM orders o
          WHERE NOT EXISTS (SELECT 1 FROM warehouse.dim_date d WHERE d.date_key = o.date_key))
         AS n
), waiting AS (
  SELECT count(*) AS n FROM items WHERE order_ts IS NULL
)
SELECT 'null_keys', CASE WHEN n = 0 THEN 'pass' ELSE 'fail' END, n::numeric, 0::numeric,
       '{}'::jsonb
FROM null_keys
UNION ALL
SELECT 'orphan_keys', CASE WHEN n = 0 THEN 'pass' ELSE 'fail' END, n::numeric, 0::numeric,
       '{}'::jsonb
FROM orphans
UNION ALL
SELECT 'order_lines_without_order', CASE WHEN n = 0 THEN 'pass' ELSE 'warn' END, n::numeric,
       0::numeric, jsonb_build_object('note', 'lines wait for their order header')
FROM waiting;
