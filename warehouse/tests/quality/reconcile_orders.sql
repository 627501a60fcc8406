-- Row reconciliation, staging -> facts, over the build's scope: every distinct order_id
-- in staging has exactly one fact_orders row. Failing rows = keys on one side only.
with expected as (
  select distinct o.order_id from {{ source('staging', 'orders') }} o
  join {{ ref('scope_orders') }} using (order_id)
), actual as (
  select f.order_id from {{ ref('fact_orders') }} f join {{ ref('scope_orders') }} using (order_id)
)
select order_id from expected full join actual using (order_id)
where expected.order_id is null or actual.order_id is null
