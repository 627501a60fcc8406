-- The first qualifying order date of the affected customers before this build
-- (mart_customer_lifetime runs after this), to find the cohort movers.
select l.customer_id, l.first_order_date
from {{ previous_state('mart_customer_lifetime') }} l
join {{ ref('affected_customers') }} using (customer_id)
