-- The marts agree with the facts on the rebuilt dates: revenue, orders and units of
-- qualifying orders in marts.daily_sales equal the sums over fact_orders and
-- fact_order_items. Failing rows = dates where they differ.
with facts as (
  select f.order_date as d, sum(f.net_amount) as revenue, count(*) as orders
  from {{ ref('affected_dates') }} a join {{ ref('fact_orders') }} f on f.order_date = a.d
  where f.is_revenue
  group by f.order_date
), lines as (
  select i.order_date as d, sum(i.net_amount) as revenue, sum(i.quantity) as units
  from {{ ref('affected_dates') }} a join {{ ref('fact_order_items') }} i on i.order_date = a.d
  where i.is_revenue
  group by i.order_date
), mart as (
  select m.sales_date as d, m.revenue, m.orders, m.units
  from {{ ref('affected_dates') }} a join {{ ref('mart_daily_sales') }} m on m.sales_date = a.d
)
select d, mart.revenue as mart_revenue, lines.revenue as fact_revenue
from facts full join lines using (d) full join mart using (d)
where coalesce(mart.revenue, 0) <> coalesce(facts.revenue, 0)
   or coalesce(mart.revenue, 0) <> coalesce(lines.revenue, 0)
   or coalesce(mart.orders, 0) <> coalesce(facts.orders, 0)
   or coalesce(mart.units, 0) <> coalesce(lines.units, 0)
