-- marts.cohort_activity: grain = (cohort_month, activity_month). cohort_month = month of
-- the customer's first qualifying order; customers = distinct customers of the cohort
-- with a qualifying order in activity_month (month 0 = the cohort size). The view
-- marts.cohort_retention adds cohort size and retention rate. A build recomputes the
-- activity months it touched (affected_months).
{{ config(alias='cohort_activity', scope='affected_months', scope_on='t.activity_month = s.m') }}
select date_trunc('month', l.first_order_date)::date as cohort_month, a.m as activity_month,
       ((extract(year from a.m) - extract(year from l.first_order_date)) * 12
         + extract(month from a.m) - extract(month from l.first_order_date))::int
         as months_since_first,
       count(distinct s.customer_id) as customers, sum(s.orders) as orders,
       sum(s.revenue) as revenue
from {{ ref('affected_months') }} a
join {{ ref('mart_customer_daily_sales') }} s
  on s.sales_date >= a.m and s.sales_date < (a.m + interval '1 month')::date
join {{ ref('mart_customer_lifetime') }} l using (customer_id)
group by 1, 2, 3
