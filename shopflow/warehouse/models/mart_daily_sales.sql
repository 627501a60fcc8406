-- marts.daily_sales: grain = one UTC order date with at least one qualifying order.
-- revenue = sum of net line amounts (qty x unit_price - discount) of qualifying
-- orders; orders = count of qualifying orders (even without lines); units = their
-- quantities; customers = distinct customers; new_customers = customers whose first
-- qualifying order (all time) is on that date. Shipping is reported, never revenue.
-- cost_amount sums the known unit costs (lines of an inferred product count 0).
DELETE FROM marts.daily_sales m USING _affected_dates a WHERE m.sales_date = a.d;

INSERT INTO marts.daily_sales (sales_date, revenue, orders, units, customers, new_customers,
  gross_amount, discount_amount, cost_amount, margin_amount, shipping_amount)
SELECT f.order_date, sum(f.net_amount), count(*), sum(f.units), count(DISTINCT f.customer_id),
       count(DISTINCT f.customer_id) FILTER (WHERE l.first_order_date = f.order_date),
       sum(f.gross_amount), sum(f.discount_amount), coalesce(sum(f.cost_amount), 0),
       sum(f.net_amount) - coalesce(sum(f.cost_amount), 0), sum(f.shipping_amount)
FROM _affected_dates a
JOIN warehouse.fact_orders f ON f.order_date = a.d
LEFT JOIN marts.customer_lifetime l USING (customer_id)
WHERE f.is_revenue
GROUP BY f.order_date;
