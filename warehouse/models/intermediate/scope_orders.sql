-- Orders this build rebuilds: the batch's order headers and lines (every order on a full
-- refresh), plus the orders whose customer or product version in effect changed
-- (dim_changes): they are rebuilt with the version now in effect at their time. Only
-- facts at or after the instant where the mapping changed are touched.
select order_id from {{ source('staging', 'orders') }} where {{ in_build_batch() }}
union
select order_id from {{ source('staging', 'order_items') }} where {{ in_build_batch() }}
union
select f.order_id
from {{ ref('dim_changes') }} c
join {{ previous_state('fact_orders') }} f
  on f.customer_id = c.natural_key and f.order_ts >= c.changed_from
where c.entity = 'customer'
union
-- Lines without an order header use the current product version: any change counts.
select f.order_id
from {{ ref('dim_changes') }} c
join {{ previous_state('fact_order_items') }} f
  on f.product_id = c.natural_key and (f.order_ts >= c.changed_from or f.order_ts is null)
where c.entity = 'product'
