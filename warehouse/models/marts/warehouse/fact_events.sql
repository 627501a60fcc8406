-- fact_events (clickstream): grain = one event (event_id), its latest delivery, with the
-- session it belongs to. Of the re-sessionized visitor windows (int_session_events), the
-- events in scope are written and the stored events whose session changed are replaced;
-- the stored rows of those events are deleted first, the others stay untouched.
{{ config(scope='int_session_events', delete_by_index=true,
          scope_on='t.event_id = s.event_id and s.was_stored and s.rewrite') }}
select event_id, event_ts, event_date, visitor_id, customer_id, anonymous_id, session_id,
       event_type, product_id, order_id, page_url, referrer, utm_source, utm_medium,
       utm_campaign, device, source_batch_id
from {{ ref('int_session_events') }}
where rewrite
