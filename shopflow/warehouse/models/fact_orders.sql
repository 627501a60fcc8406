-- fact_orders: grain = one order (order_id), its latest header version.
-- Totals are sums over its current lines (an order without lines has zeros).
-- is_revenue = latest status not cancelled/returned; such an order counts in
-- `orders` even without valid lines (SPEC 3). order_date = UTC date of order_ts.
DELETE FROM warehouse.fact_orders f USING _scope_orders s WHERE f.order_id = s.order_id;

INSERT INTO warehouse.fact_orders (order_id, customer_id, customer_key, campaign_id,
  campaign_key, order_ts, order_date, date_key, status, is_revenue, channel, currency,
  payment_method, shipping_amount, updated_at, line_count, units, gross_amount,
  discount_amount, net_amount, cost_amount, source_batch_id)
SELECT h.order_id, h.customer_id, c.customer_key, h.campaign_id,
       CASE WHEN h.campaign_id IS NOT NULL
            THEN warehouse.surrogate_key('campaign', h.campaign_id) END,
       h.order_ts, h.order_date, to_char(h.order_date, 'YYYYMMDD')::int, h.status,
       h.is_revenue, h.channel, h.currency, h.payment_method, h.shipping_amount,
       h.updated_at, coalesce(i.line_count, 0), coalesce(i.units, 0),
       coalesce(i.gross_amount, 0), coalesce(i.discount_amount, 0),
       coalesce(i.net_amount, 0), i.cost_amount, h.batch_id
FROM _order_headers h
LEFT JOIN warehouse.dim_customer c
  ON c.customer_id = h.customer_id
 AND (c.version_number = 1 OR c.valid_from <= h.order_ts)
 AND (c.valid_to IS NULL OR h.order_ts < c.valid_to)
LEFT JOIN (
  SELECT f.order_id, count(*)::int AS line_count, sum(f.quantity)::int AS units,
         sum(f.gross_amount) AS gross_amount, sum(f.discount_amount) AS discount_amount,
         sum(f.net_amount) AS net_amount, sum(f.cost_amount) AS cost_amount
  FROM warehouse.fact_order_items f
  JOIN _scope_orders USING (order_id)
  GROUP BY f.order_id
) i USING (order_id);

INSERT INTO _affected_dates SELECT DISTINCT order_date FROM _order_headers
ON CONFLICT DO NOTHING;
INSERT INTO _affected_customers SELECT DISTINCT customer_id FROM _order_headers
ON CONFLICT DO NOTHING;

ANALYZE _affected_customers;
