-- The sessions of the visitor windows before this build (fact_sessions runs after this):
-- their dates are recomputed, their campaign sessions are attribution touches that may
-- have moved or gone (touch_changes), and fact_sessions deletes them by primary key.
-- One probe per UTC date of a window: fact_sessions_visitor_idx leads with session_date
-- (decision 0086), and every session inside a window starts on one of its dates.
select f.session_id, f.session_date, f.customer_id, f.session_start, f.utm_campaign
from {{ ref('visitor_windows') }} w
{{ lookup_by_day(previous_state('fact_sessions'), 'f', 'session_date', 'w.lo', 'w.hi',
                 'f.visitor_id = w.visitor_id and f.session_start between w.lo and w.hi') }}
where w.has_sessions
