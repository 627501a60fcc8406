-- Retention by first-order month.
select cohort_month, activity_month, months_since_first, customers, orders, revenue,
       cohort_customers, retention_rate
from {{ source('marts', 'cohort_retention') }}
