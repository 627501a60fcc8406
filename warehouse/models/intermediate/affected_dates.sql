-- The dates the daily marts recompute: the build's hint dates (BatchCompleted.dates),
-- the dates of the orders and snapshots in scope before and after this build, the
-- session dates (affected_session_dates),
-- the old and new first-order dates of cohort movers, and the dates of the orders whose
-- attribution credits were recomputed (attribution_orders: among them the orders in the
-- 30 days after a touch that arrived, moved or left).
select d from unnest({{ build_hint_dates() }}) as hints(d)
union select order_date from {{ ref('int_previous_orders') }}
union select order_date from {{ ref('int_order_headers') }}
union select snapshot_date from {{ ref('scope_inventory') }}
union select d from {{ ref('affected_session_dates') }}
union select before_date from {{ ref('cohort_movers') }} where before_date is not null
union select after_date from {{ ref('cohort_movers') }} where after_date is not null
union
-- the dates of the orders whose attribution credits were recomputed
select f.order_date
from {{ ref('attribution_orders') }} a
{{ lookup_join(ref('fact_orders'), 'f', 'f.order_id = a.order_id') }}
