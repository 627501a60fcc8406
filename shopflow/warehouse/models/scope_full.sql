-- Scope of a full refresh: every natural key in staging, on emptied tables.
-- TRUNCATE is transactional (a failed refresh restores the old rows) but locks the
-- tables: readers wait for the commit of a full refresh, never of a daily build.
TRUNCATE warehouse.dim_customer, warehouse.dim_product, warehouse.dim_campaign,
  warehouse.fact_orders, warehouse.fact_order_items, warehouse.fact_events,
  warehouse.fact_sessions, warehouse.fact_inventory_daily, warehouse.fact_reviews,
  marts.daily_sales, marts.daily_category_sales, marts.daily_product_sales,
  marts.customer_daily_sales, marts.customer_lifetime, marts.cohort_activity,
  marts.daily_funnel, marts.attribution_daily, marts.inventory_daily;

INSERT INTO _scope_customers
SELECT customer_id FROM staging.customers
UNION SELECT customer_id FROM staging.orders
UNION SELECT customer_id FROM staging.reviews WHERE customer_id IS NOT NULL;

INSERT INTO _scope_products
SELECT product_id FROM staging.products
UNION SELECT product_id FROM staging.order_items
UNION SELECT product_id FROM staging.inventory
UNION SELECT product_id FROM staging.reviews WHERE product_id IS NOT NULL;

INSERT INTO _scope_campaigns
SELECT campaign_id FROM staging.campaigns
UNION SELECT campaign_id FROM staging.orders WHERE campaign_id IS NOT NULL;

INSERT INTO _scope_orders
SELECT order_id FROM staging.orders UNION SELECT order_id FROM staging.order_items;

INSERT INTO _scope_events SELECT DISTINCT event_id FROM staging.clickstream;

INSERT INTO _scope_inventory SELECT DISTINCT snapshot_date, product_id FROM staging.inventory;

INSERT INTO _scope_reviews SELECT DISTINCT review_id FROM staging.reviews;

ANALYZE _scope_customers;
ANALYZE _scope_products;
ANALYZE _scope_campaigns;
ANALYZE _scope_orders;
ANALYZE _scope_events;
ANALYZE _scope_inventory;
ANALYZE _scope_reviews;
