-- marts.daily_product_sales: grain = (UTC order date, product_id) over the lines of
-- qualifying orders; category as in daily_category_sales (if a product changed category
-- during the day, the greatest name).
{{ config(alias='daily_product_sales', scope='affected_dates', scope_on='t.sales_date = s.d') }}
select i.order_date as sales_date, i.product_id, max(i.category) as category,
       sum(i.net_amount) as revenue, count(distinct i.order_id) as orders,
       sum(i.quantity) as units, coalesce(sum(i.cost_amount), 0) as cost_amount,
       sum(i.net_amount) - coalesce(sum(i.cost_amount), 0) as margin_amount
from {{ ref('affected_dates') }} a
join {{ ref('fact_order_items') }} i on i.order_date = a.d
where i.is_revenue
group by i.order_date, i.product_id
