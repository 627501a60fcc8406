-- The sessions of the visitor windows before this build (fact_sessions runs after this):
-- their dates are recomputed, and their campaign sessions are attribution touches that
-- may have moved or gone (touch_changes).
select f.session_id, f.session_date, f.customer_id, f.session_start, f.utm_campaign
from {{ ref('visitor_windows') }} w
{{ lookup_join(previous_state('fact_sessions'), 'f',
               'f.visitor_id = w.visitor_id and f.session_start between w.lo and w.hi') }}
where w.has_sessions
