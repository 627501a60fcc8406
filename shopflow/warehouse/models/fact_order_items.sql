-- fact_order_items: grain = one order line (order_id, line_number), latest version.
-- Joined to the customer and product versions in effect at order_ts (the first
-- version also covers instants before it). A line whose order header has not
-- arrived gets date_key -1, no customer, the current product version, and is not
-- revenue until its header arrives (the order is then in scope again).
-- is_revenue: the order's latest status is not cancelled or returned (SPEC 3).
DELETE FROM warehouse.fact_order_items f USING _scope_orders s WHERE f.order_id = s.order_id;

INSERT INTO warehouse.fact_order_items (order_id, line_number, order_ts, order_date, date_key,
  customer_id, customer_key, product_id, product_key, campaign_id, order_status, is_revenue,
  category, quantity, unit_price, discount_amount, gross_amount, net_amount, unit_cost,
  cost_amount, margin_amount, source_batch_id)
SELECT l.order_id, l.line_number, h.order_ts, h.order_date,
       coalesce(to_char(h.order_date, 'YYYYMMDD')::int, -1),
       h.customer_id, c.customer_key, l.product_id, p.product_key, h.campaign_id, h.status,
       coalesce(h.is_revenue, false), coalesce(p.category, 'unknown'),
       l.quantity, l.unit_price, l.discount_amount,
       l.quantity * l.unit_price,
       l.quantity * l.unit_price - l.discount_amount,
       p.unit_cost,
       l.quantity * p.unit_cost,
       l.quantity * l.unit_price - l.discount_amount - l.quantity * p.unit_cost,
       l.batch_id
FROM _order_lines l
LEFT JOIN _order_headers h USING (order_id)
LEFT JOIN warehouse.dim_customer c
  ON c.customer_id = h.customer_id
 AND (c.version_number = 1 OR c.valid_from <= h.order_ts)
 AND (c.valid_to IS NULL OR h.order_ts < c.valid_to)
LEFT JOIN warehouse.dim_product p
  ON p.product_id = l.product_id
 AND CASE WHEN h.order_ts IS NULL THEN p.is_current
          ELSE (p.version_number = 1 OR p.valid_from <= h.order_ts)
               AND (p.valid_to IS NULL OR h.order_ts < p.valid_to) END;
