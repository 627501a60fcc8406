-- marts.daily_category_sales: grain = (UTC order date, category) over the lines of
-- qualifying orders. category = the product version's category at order time
-- ('unknown' for an inferred product). orders/customers = distinct orders/customers
-- with a line in the category; new_customers = of those, customers whose first
-- qualifying order (all time, any category) is on that date.
DELETE FROM marts.daily_category_sales m USING _affected_dates a WHERE m.sales_date = a.d;

INSERT INTO marts.daily_category_sales (sales_date, category, revenue, orders, units,
  customers, new_customers, gross_amount, discount_amount, cost_amount, margin_amount)
SELECT i.order_date, i.category, sum(i.net_amount), count(DISTINCT i.order_id),
       sum(i.quantity), count(DISTINCT i.customer_id),
       count(DISTINCT i.customer_id) FILTER (WHERE l.first_order_date = i.order_date),
       sum(i.gross_amount), sum(i.discount_amount), coalesce(sum(i.cost_amount), 0),
       sum(i.net_amount) - coalesce(sum(i.cost_amount), 0)
FROM _affected_dates a
JOIN warehouse.fact_order_items i ON i.order_date = a.d
LEFT JOIN marts.customer_lifetime l USING (customer_id)
WHERE i.is_revenue
GROUP BY i.order_date, i.category;
