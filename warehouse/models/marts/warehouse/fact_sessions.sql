-- fact_sessions: grain = one session (int_session_events). The sessions inside the
-- visitor windows are replaced. session_date = UTC date of the first event. Funnel flags
-- are monotone: a session that reached a later step also reached the earlier ones
-- (product_view < add_to_cart < checkout_start < purchase). utm_* = the first event
-- carrying any utm field; device = the first event's device.
{{ config(scope='visitor_windows', delete_by_index=true,
          scope_on='s.has_sessions and t.visitor_id = s.visitor_id'
                   ' and t.session_start between s.lo and s.hi') }}
-- depends_on: {{ ref('int_previous_sessions') }}
-- depends_on: {{ ref('visitor_windows') }}
select session_id, visitor_id,
       case when visitor_id like 'c:%' then substr(visitor_id, 3) end as customer_id,
       (array_agg(anonymous_id order by event_ts, event_id)
          filter (where anonymous_id is not null))[1] as anonymous_id,
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
       (array_agg(utm_source order by event_ts, event_id)
          filter (where coalesce(utm_source, utm_medium, utm_campaign) is not null))[1]
         as utm_source,
       (array_agg(utm_medium order by event_ts, event_id)
          filter (where coalesce(utm_source, utm_medium, utm_campaign) is not null))[1]
         as utm_medium,
       (array_agg(utm_campaign order by event_ts, event_id)
          filter (where coalesce(utm_source, utm_medium, utm_campaign) is not null))[1]
         as utm_campaign,
       (array_agg(device order by event_ts, event_id) filter (where device is not null))[1]
         as device
from {{ ref('int_session_events') }}
group by session_id, visitor_id, session_start
