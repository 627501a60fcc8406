-- marts.customer_lifetime: grain = one customer with at least one qualifying order
-- (latest status not cancelled/returned), over all time (SPEC 3): total_revenue, orders,
-- units, first/last order date, and the BG/NBD daily figures frequency = distinct
-- purchase days - 1, recency = last - first purchase day. T (to the last date in the
-- warehouse) is computed by the view marts.customer_ltv, so a daily build does not
-- rewrite every customer.
{{ config(alias='customer_lifetime', scope='affected_customers', scope_keys=['customer_id']) }}
-- depends_on: {{ ref('int_previous_first_orders') }}
select f.customer_id, sum(f.net_amount) as total_revenue, count(*) as orders,
       sum(f.units) as units, min(f.order_date) as first_order_date,
       max(f.order_date) as last_order_date, count(distinct f.order_date) as purchase_days,
       count(distinct f.order_date) - 1 as frequency,
       max(f.order_date) - min(f.order_date) as recency
from {{ ref('fact_orders') }} f
join {{ ref('affected_customers') }} using (customer_id)
where f.is_revenue
group by f.customer_id
