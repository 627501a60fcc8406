-- The stretch of each visitor's timeline this build re-sessionizes: where the events in
-- scope were before this build and where they are now, widened to every existing session
-- within 30 minutes of it. Existing sessions are maximal chains, so no event outside the
-- widened window can join a session inside it: recomputing the window is exact.
-- has_sessions: the window holds stored sessions (and so stored events); without a
-- neighbouring session it holds none, and the lookups of stored rows skip it. The rows
-- are in visitor order, so the lookups by visitor walk the indexes in their order.
{#- recent_since: three days before the latest event in scope (an SQL literal, so the
    planner sees how few sessions end after it). Windows starting after it (nearly all)
    find their neighbours among the sessions that end after it: one range of the
    session_end index, recent and cached, instead of a probe per visitor into an index
    of the whole history (decision 0083). -#}
{%- set recent_since = "'infinity'" -%}
{%- if execute -%}
  {%- set latest = run_query("select (max(event_ts) - interval '3 days')::text from "
                             ~ ref('int_event_latest')).columns[0].values()[0] -%}
  {%- if latest is not none %}{% set recent_since = "'" ~ latest ~ "'" %}{% endif -%}
{%- endif %}
with moved as (
  select visitor_id, event_ts from {{ ref('int_previous_events') }}
  union all
  select visitor_id, event_ts from {{ ref('int_event_latest') }}
), windows as materialized (
  -- in visitor order, so the index lookups below walk the index in its order
  select visitor_id, min(event_ts) as lo, max(event_ts) as hi from moved group by visitor_id
  order by visitor_id
), recent_sessions as materialized (
  -- materialized: read once by the session_end index, then joined by hash (probing the
  -- visitor index per window is the cost this avoids)
  select p.visitor_id, p.session_start, p.session_end
  from {{ previous_state('fact_sessions') }} p
  where p.session_end >= {{ recent_since }}::timestamptz - interval '30 minutes'
), neighbour_sessions as (
  -- A stored session reaches a window when it ends at most 30 minutes before the window
  -- starts and starts at most 30 minutes after it ends.
  select w.visitor_id, f.session_start, f.session_end
  from windows w
  join recent_sessions f on f.visitor_id = w.visitor_id
  where w.lo >= {{ recent_since }}::timestamptz
    and f.session_end >= w.lo - interval '30 minutes'
    and f.session_start <= w.hi + interval '30 minutes'
  union all
  -- Windows of late events: one probe per UTC date of fact_sessions_visitor_idx (it leads
  -- with session_date, decision 0086), from the day before the window starts (less 30
  -- minutes) to the day it ends (plus 30 minutes): work per window follows its length,
  -- not the history.
  select w.visitor_id, f.session_start, f.session_end
  from windows w
  {{ lookup_by_day(previous_state('fact_sessions'), 'f', 'session_date',
                   "w.lo - interval '1 day 30 minutes'", "w.hi + interval '30 minutes'",
                   "f.visitor_id = w.visitor_id"
                   " and f.session_start <= w.hi + interval '30 minutes'"
                   " and f.session_end >= w.lo - interval '30 minutes'") }}
  where w.lo < {{ recent_since }}::timestamptz
  union all
  -- A session that starts before those dates and still reaches the window lasts more
  -- than a day: those few are in the partial index fact_sessions_long_idx.
  select w.visitor_id, f.session_start, f.session_end
  from windows w
  {{ lookup_join(previous_state('fact_sessions'), 'f',
                 'f.duration_seconds >= 86400 and f.visitor_id = w.visitor_id'
                 ' and f.session_start < w.lo'
                 " and f.session_end >= w.lo - interval '30 minutes'") }}
  where w.lo < {{ recent_since }}::timestamptz
), neighbours as (
  select visitor_id, min(session_start) as lo, max(session_end) as hi
  from neighbour_sessions group by visitor_id
)
select w.visitor_id, least(w.lo, n.lo) as lo, greatest(w.hi, n.hi) as hi,
       n.visitor_id is not null as has_sessions
from windows w left join neighbours n using (visitor_id)
order by w.visitor_id
