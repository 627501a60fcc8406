-- marts.inventory_daily: grain = (snapshot_date, product_id) over all warehouses.
-- on_hand and reorder_point are summed over warehouses; is_stockout = nothing on
-- hand anywhere (a stockout day); warehouses_out = warehouses with nothing on hand;
-- units_sold = units of qualifying orders that day (daily_product_sales), so the API
-- computes turnover over a range as sum(units_sold) / avg(on_hand).
DELETE FROM marts.inventory_daily m USING _affected_dates a WHERE m.snapshot_date = a.d;

INSERT INTO marts.inventory_daily (snapshot_date, product_id, on_hand, reorder_point,
  warehouses, warehouses_out, is_stockout, below_reorder_point, units_sold)
SELECT s.snapshot_date, s.product_id, s.on_hand, s.reorder_point, s.warehouses,
       s.warehouses_out, s.on_hand = 0, coalesce(s.on_hand <= s.reorder_point, false),
       coalesce(p.units, 0)
FROM (
  SELECT f.snapshot_date, f.product_id, sum(f.on_hand)::int AS on_hand,
         sum(f.reorder_point)::int AS reorder_point, count(*)::int AS warehouses,
         (count(*) FILTER (WHERE f.is_stockout))::int AS warehouses_out
  FROM _affected_dates a
  JOIN warehouse.fact_inventory_daily f ON f.snapshot_date = a.d
  GROUP BY f.snapshot_date, f.product_id
) s
LEFT JOIN marts.daily_product_sales p
  ON p.sales_date = s.snapshot_date AND p.product_id = s.product_id;
