-- Scope of an incremental build: the natural keys of the batch's staging rows.
-- Every lookup is by batch_id (the leading column of each staging primary key),
-- so the cost follows the batch, not the history.
INSERT INTO _scope_customers
SELECT customer_id FROM staging.customers WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT customer_id FROM staging.orders WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT customer_id FROM staging.reviews
WHERE batch_id = (SELECT batch_id FROM _build) AND customer_id IS NOT NULL;

INSERT INTO _scope_products
SELECT product_id FROM staging.products WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT product_id FROM staging.order_items WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT product_id FROM staging.inventory WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT product_id FROM staging.reviews
WHERE batch_id = (SELECT batch_id FROM _build) AND product_id IS NOT NULL;

INSERT INTO _scope_campaigns
SELECT campaign_id FROM staging.campaigns WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT campaign_id FROM staging.orders
WHERE batch_id = (SELECT batch_id FROM _build) AND campaign_id IS NOT NULL;

INSERT INTO _scope_orders
SELECT order_id FROM staging.orders WHERE batch_id = (SELECT batch_id FROM _build)
UNION
SELECT order_id FROM staging.order_items WHERE batch_id = (SELECT batch_id FROM _build);

INSERT INTO _scope_events
SELECT DISTINCT event_id FROM staging.clickstream WHERE batch_id = (SELECT batch_id FROM _build);

INSERT INTO _scope_inventory
SELECT DISTINCT snapshot_date, product_id FROM staging.inventory
WHERE batch_id = (SELECT batch_id FROM _build);

INSERT INTO _scope_reviews
SELECT DISTINCT review_id FROM staging.reviews WHERE batch_id = (SELECT batch_id FROM _build);

ANALYZE _scope_customers;
ANALYZE _scope_products;
ANALYZE _scope_campaigns;
ANALYZE _scope_orders;
ANALYZE _scope_events;
ANALYZE _scope_inventory;
ANALYZE _scope_reviews;
