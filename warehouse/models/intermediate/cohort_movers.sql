-- Customers whose first qualifying order moved in this build: new_customers changes on
-- the old and the new date, and every cohort cell of theirs.
select a.customer_id, b.first_order_date as before_date, l.first_order_date as after_date
from {{ ref('affected_customers') }} a
left join {{ ref('int_previous_first_orders') }} b using (customer_id)
left join {{ ref('mart_customer_lifetime') }} l using (customer_id)
where b.first_order_date is distinct from l.first_order_date
