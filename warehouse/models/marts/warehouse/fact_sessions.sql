-- fact_sessions: grain = one session (int_session_events). The sessions inside the
-- visitor windows are replaced. session_date = UTC date of the first event. Funnel flags
-- are monotone: a session that reached a later step also reached the earlier ones
-- (product_view < add_to_cart < checkout_start < purchase). utm_* = the first event
-- carrying any utm field; device = the first event's device (in event order, the
-- positions int_session_events gives: event_seq, first_*_seq).
-- The stored sessions of the visitor windows (int_previous_sessions) are deleted by
-- primary key, (session_date, session_id): a day's sessions go to that day's part of it.
{{ config(scope='int_previous_sessions', scope_keys=['session_date', 'session_id'],
          delete_by_index=true) }}
-- depends_on: {{ ref('int_previous_sessions') }}
select session_id, visitor_id,
       case when visitor_id like 'c:%' then substr(visitor_id, 3) end as customer_id,
       max(anonymous_id) filter (where event_seq = first_anonymous_seq) as anonymous_id,
       session_start, max(event_ts) as session_end,
       (session_start at time zone 'UTC')::date as session_date,
       to_char((session_start at time zone 'UTC')::date, 'YYYYMMDD')::int as date_key,
       extract(epoch from max(event_ts) - session_start)::int as duration_seconds,
       count(*) as event_count,
       count(*) filter (where event_type = 'page_view') as page_views,
       count(*) filter (where event_type = 'product_view') as product_views,
       count(*) filter (where event_type = 'add_to_cart') as add_to_cart_events,
       count(*) filter (where event_type = 'checkout_start') as checkout_events,
       count(*) filter (where event_type = 'purchase') as purchase_events,
       bool_or(event_type in ('product_view', 'add_to_cart', 'checkout_start', 'purchase'))
         as reached_product_view,
       bool_or(event_type in ('add_to_cart', 'checkout_start', 'purchase'))
         as reached_add_to_cart,
       bool_or(event_type in ('checkout_start', 'purchase')) as reached_checkout,
       bool_or(event_type = 'purchase') as reached_purchase,
       max(utm_source) filter (where event_seq = first_utm_seq) as utm_source,
       max(utm_medium) filter (where event_seq = first_utm_seq) as utm_medium,
       max(utm_campaign) filter (where event_seq = first_utm_seq) as utm_campaign,
       max(device) filter (where event_seq = first_device_seq) as device
from {{ ref('int_session_events') }}
group by session_id, visitor_id, session_start
