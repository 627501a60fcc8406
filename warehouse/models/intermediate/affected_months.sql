-- The activity months the cohort mart recomputes: the months of the affected dates, and
-- every month with an order of a customer whose cohort month moved.
select distinct date_trunc('month', d)::date as m from {{ ref('affected_dates') }}
union
select date_trunc('month', f.order_date)::date
from {{ ref('cohort_movers') }} c
join {{ ref('fact_orders') }} f on f.customer_id = c.customer_id
where date_trunc('month', c.before_date) is distinct from date_trunc('month', c.after_date)
