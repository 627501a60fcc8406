-- The dates the daily marts recompute: the build's hint dates (BatchCompleted.dates),
-- the dates of the orders and snapshots in scope before and after this build, the
-- session dates (affected_session_dates),
-- the old and new first-order dates of cohort movers, and the dates of orders in the
-- 30 days after a touch that arrived, moved or left (a full refresh rebuilds every date
-- anyway).
select d from unnest({{ build_hint_dates() }}) as hints(d)
union select order_date from {{ ref('int_previous_orders') }}
union select order_date from {{ ref('int_order_headers') }}
union select snapshot_date from {{ ref('scope_inventory') }}
union select d from {{ ref('affected_session_dates') }}
union select before_date from {{ ref('cohort_movers') }} where before_date is not null
union select after_date from {{ ref('cohort_movers') }} where after_date is not null
union
select f.order_date
from {{ ref('touch_changes') }} t
join {{ ref('fact_orders') }} f
  on f.customer_id = t.customer_id
 and f.order_ts >= t.touch_ts and f.order_ts < t.touch_ts + interval '30 days'
where not {{ full_refresh_sql() }}
