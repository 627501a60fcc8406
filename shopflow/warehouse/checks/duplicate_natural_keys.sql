-- Each natural key in scope has exactly one current dimension version and its
-- versions do not overlap; facts are unique by their primary keys already.
WITH customers AS (
  SELECT customer_id AS k, count(*) FILTER (WHERE is_current) AS current_rows,
         bool_or(valid_to IS NOT NULL AND valid_from >= valid_to) AS bad_range
  FROM warehouse.dim_customer JOIN _scope_customers USING (customer_id)
  GROUP BY customer_id
), products AS (
  SELECT product_id AS k, count(*) FILTER (WHERE is_current) AS current_rows,
         bool_or(valid_to IS NOT NULL AND valid_from >= valid_to) AS bad_range
  FROM warehouse.dim_product JOIN _scope_products USING (product_id)
  GROUP BY product_id
), bad AS (
  SELECT count(*) AS n FROM (
    SELECT * FROM customers UNION ALL SELECT * FROM products
  ) d WHERE current_rows <> 1 OR bad_range
)
SELECT 'duplicate_natural_keys' AS check_name,
       CASE WHEN n = 0 THEN 'pass' ELSE 'fail' END AS status, n::numeric AS observed,
       0::numeric AS threshold, '{}'::jsonb AS details
FROM bad;
