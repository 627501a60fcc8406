-- Web and app sessions (30-minute inactivity), without the anonymous visitor ids.
select session_id, customer_id, session_start, session_end, session_date, duration_seconds,
       event_count, page_views, product_views, add_to_cart_events, checkout_events,
       purchase_events, reached_product_view, reached_add_to_cart, reached_checkout,
       reached_purchase, utm_source, utm_medium, utm_campaign, device
from {{ source('warehouse', 'fact_sessions') }}
