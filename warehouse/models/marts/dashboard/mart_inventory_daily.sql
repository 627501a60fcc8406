-- marts.inventory_daily: grain = (snapshot_date, product_id) over all warehouses.
-- on_hand and reorder_point are summed over warehouses; is_stockout = nothing on hand
-- anywhere (a stockout day); warehouses_out = warehouses with nothing on hand; units_sold
-- = units of qualifying orders that day (daily_product_sales), so the API computes
-- turnover over a range as sum(units_sold) / avg(on_hand).
{{ config(alias='inventory_daily', scope='affected_dates', scope_on='t.snapshot_date = s.d') }}
select s.snapshot_date, s.product_id, s.on_hand, s.reorder_point, s.warehouses,
       s.warehouses_out, s.on_hand = 0 as is_stockout,
       coalesce(s.on_hand <= s.reorder_point, false) as below_reorder_point,
       coalesce(p.units, 0) as units_sold
from (
  select f.snapshot_date, f.product_id, sum(f.on_hand)::int as on_hand,
         sum(f.reorder_point)::int as reorder_point, count(*)::int as warehouses,
         (count(*) filter (where f.is_stockout))::int as warehouses_out
  from {{ ref('affected_dates') }} a
  join {{ ref('fact_inventory_daily') }} f on f.snapshot_date = a.d
  group by f.snapshot_date, f.product_id
) s
left join {{ ref('mart_daily_product_sales') }} p
  on p.sales_date = s.snapshot_date and p.product_id = s.product_id
