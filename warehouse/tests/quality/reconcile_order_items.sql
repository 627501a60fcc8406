-- Every distinct (order_id, line_number) in staging for the orders in scope has exactly
-- one fact_order_items row.
with expected as (
  select distinct i.order_id, i.line_number from {{ source('staging', 'order_items') }} i
  join {{ ref('scope_orders') }} using (order_id)
), actual as (
  select f.order_id, f.line_number from {{ ref('fact_order_items') }} f
  join {{ ref('scope_orders') }} using (order_id)
)
select e.order_id, a.order_id
from expected e full join actual a on a.order_id = e.order_id and a.line_number = e.line_number
where e.order_id is null or a.order_id is null
