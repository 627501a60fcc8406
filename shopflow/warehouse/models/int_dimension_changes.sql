-- Facts whose dimension version (or its attributes) changed join the fact scopes:
-- they are rebuilt with the version now in effect at their time. Only facts at or
-- after the instant where the mapping changed are touched (a new version appended
-- today touches nothing old; completing an inferred member touches its facts).
INSERT INTO _scope_orders
SELECT DISTINCT f.order_id
FROM _dim_changes c
JOIN warehouse.fact_orders f ON f.customer_id = c.natural_key AND f.order_ts >= c.changed_from
WHERE c.entity = 'customer'
ON CONFLICT DO NOTHING;

-- Lines without an order header use the current product version: any change counts.
INSERT INTO _scope_orders
SELECT DISTINCT f.order_id
FROM _dim_changes c
JOIN warehouse.fact_order_items f
  ON f.product_id = c.natural_key AND (f.order_ts >= c.changed_from OR f.order_ts IS NULL)
WHERE c.entity = 'product'
ON CONFLICT DO NOTHING;

INSERT INTO _scope_reviews
SELECT f.review_id
FROM _dim_changes c
JOIN warehouse.fact_reviews f ON f.product_id = c.natural_key AND f.review_ts >= c.changed_from
WHERE c.entity = 'product'
UNION
SELECT f.review_id
FROM _dim_changes c
JOIN warehouse.fact_reviews f ON f.customer_id = c.natural_key AND f.review_ts >= c.changed_from
WHERE c.entity = 'customer'
ON CONFLICT DO NOTHING;

INSERT INTO _scope_inventory
SELECT DISTINCT f.snapshot_date, f.product_id
FROM _dim_changes c
JOIN warehouse.fact_inventory_daily f
  ON f.product_id = c.natural_key
 AND f.snapshot_date::timestamp AT TIME ZONE 'UTC' >= c.changed_from
WHERE c.entity = 'product'
ON CONFLICT DO NOTHING;

ANALYZE _scope_orders;
ANALYZE _scope_reviews;
ANALYZE _scope_inventory;
