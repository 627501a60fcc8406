-- The latest version of each order header and order line in scope.
-- Header: latest updated_at; ties -> later batch (business_date, batch_id), later line.
-- Line: no updated_at, so the later batch, then the later source line wins. Exact
-- duplicates (same key, same content, other line) therefore count once.
CREATE TEMP TABLE _order_headers ON COMMIT DROP AS
SELECT DISTINCT ON (o.order_id) o.order_id, o.customer_id, o.order_ts,
       (o.order_ts AT TIME ZONE 'UTC')::date AS order_date, o.status,
       o.status NOT IN ('cancelled', 'returned') AS is_revenue, o.channel, o.campaign_id,
       o.currency, o.shipping_amount, o.payment_method, o.updated_at, o.batch_id
FROM staging.orders o
JOIN _scope_orders USING (order_id)
LEFT JOIN ops.batches b USING (batch_id)
ORDER BY o.order_id, o.updated_at DESC, b.business_date DESC NULLS LAST, o.batch_id DESC,
         o.source_file DESC, o.line_number DESC;
CREATE UNIQUE INDEX ON _order_headers (order_id);

CREATE TEMP TABLE _order_lines ON COMMIT DROP AS
SELECT DISTINCT ON (i.order_id, i.line_number) i.order_id, i.line_number, i.product_id,
       i.quantity, i.unit_price, i.discount_amount, i.batch_id
FROM staging.order_items i
JOIN _scope_orders USING (order_id)
LEFT JOIN ops.batches b USING (batch_id)
ORDER BY i.order_id, i.line_number, b.business_date DESC NULLS LAST, i.batch_id DESC,
         i.source_file DESC, i.source_line DESC;

ANALYZE _order_headers;
ANALYZE _order_lines;

-- What the orders in scope said before this build: their dates and customers
-- must be recomputed even if the orders moved away from them.
INSERT INTO _affected_dates
SELECT DISTINCT f.order_date FROM warehouse.fact_orders f JOIN _scope_orders USING (order_id)
ON CONFLICT DO NOTHING;

INSERT INTO _affected_customers
SELECT DISTINCT f.customer_id FROM warehouse.fact_orders f JOIN _scope_orders USING (order_id)
ON CONFLICT DO NOTHING;
