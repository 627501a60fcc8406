-- marts.daily_sales: grain = one UTC order date with at least one qualifying order.
-- revenue = sum of net line amounts (qty x unit_price - discount) of qualifying orders;
-- orders = count of qualifying orders (even without lines); units = their quantities;
-- customers = distinct customers; new_customers = customers whose first qualifying order
-- (all time) is on that date. Shipping is reported, never revenue. cost_amount sums the
-- known unit costs (lines of an inferred product count 0).
{{ config(alias='daily_sales', scope='affected_dates', scope_on='t.sales_date = s.d') }}
select f.order_date as sales_date, sum(f.net_amount) as revenue, count(*) as orders,
       sum(f.units) as units, count(distinct f.customer_id) as customers,
       count(distinct f.customer_id) filter (where l.first_order_date = f.order_date)
         as new_customers,
       sum(f.gross_amount) as gross_amount, sum(f.discount_amount) as discount_amount,
       coalesce(sum(f.cost_amount), 0) as cost_amount,
       sum(f.net_amount) - coalesce(sum(f.cost_amount), 0) as margin_amount,
       sum(f.shipping_amount) as shipping_amount
from {{ ref('affected_dates') }} a
join {{ ref('fact_orders') }} f on f.order_date = a.d
left join {{ ref('mart_customer_lifetime') }} l using (customer_id)
where f.is_revenue
group by f.order_date
