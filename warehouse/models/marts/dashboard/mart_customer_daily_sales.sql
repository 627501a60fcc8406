-- marts.customer_daily_sales: grain = (sales_date, customer_id) for customers with a
-- qualifying order that day. Lets the API count distinct customers over any range.
{{ config(alias='customer_daily_sales', scope='affected_dates', scope_on='t.sales_date = s.d') }}
select f.order_date as sales_date, f.customer_id, sum(f.net_amount) as revenue,
       count(*) as orders, sum(f.units) as units
from {{ ref('affected_dates') }} a
join {{ ref('fact_orders') }} f on f.order_date = a.d
where f.is_revenue
group by f.order_date, f.customer_id
