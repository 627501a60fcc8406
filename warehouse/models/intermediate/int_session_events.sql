-- Sessionization of the visitor windows: a visitor's events with gaps under 30 minutes
-- form a session (a gap of 30 minutes or more starts a new one); session_id = a hash of
-- (visitor_id, session_start). The window's events as they are after this build: the
-- stored events outside the scope (they keep every column, only their session may
-- change) plus the latest versions of the events in scope. One row per fact_events row.
with window_events as (
  select e.event_id, e.event_ts, e.event_date, e.visitor_id, e.customer_id, e.anonymous_id,
         e.event_type, e.product_id, e.order_id, e.page_url, e.referrer, e.utm_source,
         e.utm_medium, e.utm_campaign, e.device, e.source_batch_id
  from {{ ref('visitor_windows') }} w
  join {{ previous_state('fact_events') }} e
    on e.visitor_id = w.visitor_id and e.event_ts between w.lo and w.hi
  where not exists (select 1 from {{ ref('scope_events') }} s where s.event_id = e.event_id)
  union all
  select event_id, event_ts, (event_ts at time zone 'UTC')::date, visitor_id, customer_id,
         anonymous_id, event_type, product_id, order_id, page_url, referrer, utm_source,
         utm_medium, utm_campaign, device, batch_id
  from {{ ref('int_event_latest') }}
), ordered as (
  select *, lag(event_ts) over (partition by visitor_id order by event_ts, event_id)
              as prior_ts
  from window_events
), numbered as (
  select *, sum(case when prior_ts is null or event_ts - prior_ts >= interval '30 minutes'
                     then 1 else 0 end)
              over (partition by visitor_id order by event_ts, event_id
                    rows unbounded preceding) as session_number
  from ordered
), started as (
  select *, min(event_ts) over (partition by visitor_id, session_number) as session_start
  from numbered
)
select event_id, event_ts, event_date, visitor_id, customer_id, anonymous_id,
       warehouse.surrogate_key('session', visitor_id,
                               extract(epoch from session_start)::text) as session_id,
       event_type, product_id, order_id, page_url, referrer, utm_source, utm_medium,
       utm_campaign, device, source_batch_id, session_start
from started
