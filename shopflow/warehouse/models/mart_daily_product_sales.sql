-- marts.daily_product_sales: grain = (UTC order date, product_id) over the lines of
-- qualifying orders; category as in daily_category_sales (if a product changed
-- category during the day, the greatest name).
DELETE FROM marts.daily_product_sales m USING _affected_dates a WHERE m.sales_date = a.d;

INSERT INTO marts.daily_product_sales (sales_date, product_id, category, revenue, orders,
  units, cost_amount, margin_amount)
SELECT i.order_date, i.product_id, max(i.category), sum(i.net_amount),
       count(DISTINCT i.order_id), sum(i.quantity), coalesce(sum(i.cost_amount), 0),
       sum(i.net_amount) - coalesce(sum(i.cost_amount), 0)
FROM _affected_dates a
JOIN warehouse.fact_order_items i ON i.order_date = a.d
WHERE i.is_revenue
GROUP BY i.order_date, i.product_id;
