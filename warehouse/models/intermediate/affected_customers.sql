-- Customers whose lifetime figures this build recomputes: the customers of the orders in
-- scope, before (int_previous_orders) and after this build.
select customer_id from {{ ref('int_previous_orders') }}
union
select customer_id from {{ ref('int_order_headers') }}
