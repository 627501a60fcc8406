-- The events in scope that the warehouse already holds, as they are before this build:
-- where they were on their visitor's timeline (visitor_windows) and the session they
-- had (int_session_events rewrites them only if something changed).
select f.event_id, f.visitor_id, f.event_ts, f.session_id
from {{ ref('scope_events') }} s
{{ lookup_join(previous_state('fact_events'), 'f', 'f.event_id = s.event_id') }}
