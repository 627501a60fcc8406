-- marts.customer_daily_sales: grain = (sales_date, customer_id) for customers with
-- a qualifying order that day. Lets the API count distinct customers over any range.
DELETE FROM marts.customer_daily_sales m USING _affected_dates a WHERE m.sales_date = a.d;

INSERT INTO marts.customer_daily_sales (sales_date, customer_id, revenue, orders, units)
SELECT f.order_date, f.customer_id, sum(f.net_amount), count(*), sum(f.units)
FROM _affected_dates a
JOIN warehouse.fact_orders f ON f.order_date = a.d
WHERE f.is_revenue
GROUP BY f.order_date, f.customer_id;
