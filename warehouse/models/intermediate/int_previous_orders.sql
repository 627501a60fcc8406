-- What the orders in scope said before this build: their dates and customers must be
-- recomputed even if the orders moved away from them (fact_orders runs after this).
select f.order_id, f.customer_id, f.order_date
from {{ previous_state('fact_orders') }} f
join {{ ref('scope_orders') }} using (order_id)
