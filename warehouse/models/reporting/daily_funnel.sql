-- Sessions reaching each funnel step, per day.
select session_date, sessions, product_view_sessions, add_to_cart_sessions,
       checkout_sessions, purchase_sessions, events
from {{ source('marts', 'daily_funnel') }}
