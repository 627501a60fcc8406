-- The orders whose attribution credits this build recomputes (fact_attribution): the
-- orders it rebuilds (scope_orders: status, amount, campaign, customer or time may have
-- changed) and the orders in the 30 days after a touch that arrived, moved or left
-- (touch_changes). Every order on a full refresh (scope_orders holds them all).
select order_id from {{ ref('scope_orders') }}
union
select f.order_id
from {{ ref('touch_changes') }} t
join {{ ref('fact_orders') }} f
  on f.customer_id = t.customer_id
 and f.order_ts >= t.touch_ts and f.order_ts < t.touch_ts + interval '30 days'
where not {{ full_refresh_sql() }}
order by order_id
