-- marts.daily_category_sales: grain = (UTC order date, category) over the lines of
-- qualifying orders. category = the product version's category at order time ('unknown'
-- for an inferred product). orders/customers = distinct orders/customers with a line in
-- the category; new_customers = of those, customers whose first qualifying order (all
-- time, any category) is on that date.
{{ config(alias='daily_category_sales', scope='affected_dates', scope_on='t.sales_date = s.d') }}
select i.order_date as sales_date, i.category, sum(i.net_amount) as revenue,
       count(distinct i.order_id) as orders, sum(i.quantity) as units,
       count(distinct i.customer_id) as customers,
       count(distinct i.customer_id) filter (where l.first_order_date = i.order_date)
         as new_customers,
       sum(i.gross_amount) as gross_amount, sum(i.discount_amount) as discount_amount,
       coalesce(sum(i.cost_amount), 0) as cost_amount,
       sum(i.net_amount) - coalesce(sum(i.cost_amount), 0) as margin_amount
from {{ ref('affected_dates') }} a
join {{ ref('fact_order_items') }} i on i.order_date = a.d
left join {{ ref('mart_customer_lifetime') }} l using (customer_id)
where i.is_revenue
group by i.order_date, i.category
