-- The session dates this build changes: the build's hint dates, and the dates of the
-- sessions of the visitor windows before and after this build. The funnel follows only
-- these (an order's late status change moves no session).
select d from unnest({{ build_hint_dates() }}) as hints(d)
union select session_date from {{ ref('int_previous_sessions') }}
union select (session_start at time zone 'UTC')::date from {{ ref('int_session_events') }}
