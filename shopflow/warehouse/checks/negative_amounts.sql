-- Money and quantities can never be negative in the facts of the build's scope
-- (materialized first, see null_and_orphan_keys).
WITH items AS MATERIALIZED (
  SELECT f.net_amount, f.quantity, f.unit_price, f.discount_amount, f.cost_amount
  FROM _scope_orders s JOIN warehouse.fact_order_items f USING (order_id)
), orders AS MATERIALIZED (
  SELECT f.net_amount, f.shipping_amount
  FROM _scope_orders s JOIN warehouse.fact_orders f USING (order_id)
), inventory AS MATERIALIZED (
  SELECT f.on_hand
  FROM _scope_inventory s JOIN warehouse.fact_inventory_daily f USING (snapshot_date, product_id)
)
SELECT 'negative_amounts' AS check_name,
       CASE WHEN n = 0 THEN 'pass' ELSE 'fail' END AS status, n::numeric AS observed,
       0::numeric AS threshold, '{}'::jsonb AS details
FROM (
  SELECT (SELECT count(*) FROM items
          WHERE net_amount < 0 OR quantity <= 0 OR unit_price < 0 OR discount_amount < 0
             OR cost_amount < 0)
       + (SELECT count(*) FROM orders WHERE net_amount < 0 OR shipping_amount < 0)
       + (SELECT count(*) FROM inventory WHERE on_hand < 0) AS n
) c;
