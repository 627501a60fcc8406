-- Read views the dashboard pages need (issue 16). The API role reads only marts.*,
-- so the product's SCD2 history, its reviews and the order channel of each sold
-- line are exposed here, over the same warehouse tables the other views read.

-- Every version of every product (valid_from inclusive, valid_to exclusive).
CREATE VIEW marts.product_history AS
  SELECT product_id, version_number, product_key, sku, name, category, subcategory, brand,
         unit_cost, list_price, rating, valid_from, valid_to, is_current, is_inferred
  FROM warehouse.dim_product;

-- One row per review, with the product it is about.
CREATE VIEW marts.product_reviews AS
  SELECT review_id, product_id, order_id, customer_id, rating, review_ts, review_date,
         title, body
  FROM warehouse.fact_reviews;

-- Sold lines that count as revenue (the same lines as marts.daily_*_sales), with the
-- order's channel: the sales page filters categories and products by channel.
CREATE VIEW marts.sales_lines AS
  SELECT i.order_date AS sales_date, i.order_id, i.line_number, i.customer_id, i.product_id,
         i.category, coalesce(o.channel, 'unknown') AS channel, i.quantity AS units,
         i.net_amount AS revenue, coalesce(i.cost_amount, 0) AS cost_amount,
         i.net_amount - coalesce(i.cost_amount, 0) AS margin_amount
  FROM warehouse.fact_order_items i
  JOIN warehouse.fact_orders o USING (order_id)
  WHERE i.is_revenue AND i.order_date IS NOT NULL;

GRANT SELECT ON marts.product_history, marts.product_reviews, marts.sales_lines
  TO shopflow_api;
