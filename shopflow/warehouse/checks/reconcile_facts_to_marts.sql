-- The marts agree with the facts on the rebuilt dates: revenue, orders and units
-- of qualifying orders in marts.daily_sales equal the sums over fact_orders and
-- fact_order_items.
WITH facts AS (
  SELECT coalesce(sum(f.net_amount), 0) AS revenue, count(*) AS orders,
         coalesce(sum(f.units), 0) AS units
  FROM _affected_dates a JOIN warehouse.fact_orders f ON f.order_date = a.d
  WHERE f.is_revenue
), lines AS (
  SELECT coalesce(sum(i.net_amount), 0) AS revenue, coalesce(sum(i.quantity), 0) AS units
  FROM _affected_dates a JOIN warehouse.fact_order_items i ON i.order_date = a.d
  WHERE i.is_revenue
), mart AS (
  SELECT coalesce(sum(m.revenue), 0) AS revenue, coalesce(sum(m.orders), 0) AS orders,
         coalesce(sum(m.units), 0) AS units
  FROM _affected_dates a JOIN marts.daily_sales m ON m.sales_date = a.d
)
SELECT 'reconcile_marts' AS check_name,
       CASE WHEN mart.revenue = facts.revenue AND mart.revenue = lines.revenue
                 AND mart.orders = facts.orders AND mart.units = lines.units
            THEN 'pass' ELSE 'fail' END AS status,
       abs(mart.revenue - lines.revenue) AS observed, 0::numeric AS threshold,
       jsonb_build_object('dates', (SELECT count(*) FROM _affected_dates),
                          'mart_revenue', mart.revenue, 'fact_revenue', lines.revenue,
                          'mart_orders', mart.orders, 'fact_orders', facts.orders,
                          'mart_units', mart.units, 'fact_units', lines.units) AS details
FROM facts, lines, mart;
