-- Sessionization of the visitor windows: a visitor's events with gaps under 30 minutes
-- form a session (a gap of 30 minutes or more starts a new one); session_id = a hash of
-- (visitor_id, session_start). The window's events as they are after this build: the
-- stored events outside the scope (they keep every column, only their session may
-- change) plus the latest versions of the events in scope. One row per event of the
-- windows; `was_stored` = fact_events holds the event now, `rewrite` = fact_events must
-- get this row (an event in scope: no previous_session_id; or a stored event whose
-- session changed). The stored events whose session stayed are left as they are.
with window_events as (
  select e.event_id, e.event_ts, e.event_date, e.visitor_id, e.customer_id, e.anonymous_id,
         e.event_type, e.product_id, e.order_id, e.page_url, e.referrer, e.utm_source,
         e.utm_medium, e.utm_campaign, e.device, e.source_batch_id,
         true as was_stored, e.session_id as previous_session_id
  -- one probe per UTC date of the window: fact_events_visitor_idx leads with event_date, so
  -- a day's inserts land in that day's part of the index, not all over it (decision 0085)
  from {{ ref('visitor_windows') }} w
  {{ lookup_by_day(previous_state('fact_events'), 'e', 'event_date', 'w.lo', 'w.hi',
                   'e.visitor_id = w.visitor_id and e.event_ts between w.lo and w.hi') }}
  where w.has_sessions
    -- a stored event in scope is in int_previous_events (small: re-deliveries only)
    and not exists (select 1 from {{ ref('int_previous_events') }} p
                    where p.event_id = e.event_id)
  union all
  select event_id, event_ts, (event_ts at time zone 'UTC')::date, visitor_id, customer_id,
         anonymous_id, event_type, product_id, order_id, page_url, referrer, utm_source,
         utm_medium, utm_campaign, device, batch_id,
         p.event_id is not null, null::bigint
  from {{ ref('int_event_latest') }} l
  left join (select event_id from {{ ref('int_previous_events') }}) p using (event_id)
), ordered as (
  select *, lag(event_ts) over visitor_order as prior_ts,
         row_number() over visitor_order as event_seq
  from window_events
  window visitor_order as (partition by visitor_id order by event_ts, event_id)
), started as (
  -- One sort for both windows: events come in time order, so a session's start is the
  -- latest event so far that opened a session (no earlier event, or a gap of 30 minutes).
  select *, max(case when opens then event_ts end)
              over (partition by visitor_id order by event_ts, event_id
                    rows unbounded preceding) as session_start
  from (select *, prior_ts is null or event_ts - prior_ts >= interval '30 minutes' as opens
        from ordered) as marked
), keyed as (
  -- The session's key, hashed once per session (on its opening event), and the position
  -- of its first event with an anonymous id, with utm fields, with a device: fact_sessions
  -- takes those values without sorting every session again.
  select *, max(case when opens then warehouse.surrogate_key(
                  'session', visitor_id, extract(epoch from session_start)::text) end)
              over session as session_id,
         min(case when anonymous_id is not null then event_seq end)
              over session as first_anonymous_seq,
         min(case when coalesce(utm_source, utm_medium, utm_campaign) is not null
                  then event_seq end) over session as first_utm_seq,
         min(case when device is not null then event_seq end) over session as first_device_seq
  from started
  window session as (partition by visitor_id, session_start)
)
select event_id, event_ts, event_date, visitor_id, customer_id, anonymous_id, session_id,
       event_type, product_id, order_id, page_url, referrer, utm_source, utm_medium,
       utm_campaign, device, source_batch_id, session_start, was_stored, previous_session_id,
       event_seq, first_anonymous_seq, first_utm_seq, first_device_seq,
       session_id is distinct from previous_session_id as rewrite
from keyed
