-- fact_events (clickstream): grain = one event (event_id), its latest delivery, with the
-- session it belongs to. Every event of the re-sessionized visitor windows is replaced
-- (int_session_events): stored events whose session was merged or split get their new
-- session, the others are written back unchanged.
{{ config(scope='int_session_events', scope_keys=['event_id']) }}
select event_id, event_ts, event_date, visitor_id, customer_id, anonymous_id, session_id,
       event_type, product_id, order_id, page_url, referrer, utm_source, utm_medium,
       utm_campaign, device, source_batch_id
from {{ ref('int_session_events') }}
