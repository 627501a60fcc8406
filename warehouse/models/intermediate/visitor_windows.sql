-- The stretch of each visitor's timeline this build re-sessionizes: where the events in
-- scope were before this build and where they are now, widened to every existing session
-- within 30 minutes of it. Existing sessions are maximal chains, so no event outside the
-- widened window can join a session inside it: recomputing the window is exact.
with moved as (
  select visitor_id, event_ts from {{ ref('int_previous_events') }}
  union all
  select visitor_id, event_ts from {{ ref('int_event_latest') }}
), windows as (
  select visitor_id, min(event_ts) as lo, max(event_ts) as hi from moved group by visitor_id
), neighbours as (
  select w.visitor_id, min(f.session_start) as lo, max(f.session_end) as hi
  from windows w
  join {{ previous_state('fact_sessions') }} f
    on f.visitor_id = w.visitor_id
   and f.session_end >= w.lo - interval '30 minutes'
   and f.session_start <= w.hi + interval '30 minutes'
  group by w.visitor_id
)
select w.visitor_id, least(w.lo, n.lo) as lo, greatest(w.hi, n.hi) as hi
from windows w left join neighbours n using (visitor_id)
