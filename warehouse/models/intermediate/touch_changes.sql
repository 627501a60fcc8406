-- Attribution touches (campaign sessions of customers) this build replaced, old and new:
-- a late touch changes the attribution of the customer's later orders.
select customer_id, session_start as touch_ts
from {{ ref('int_previous_sessions') }}
where customer_id is not null and utm_campaign is not null
union all
select f.customer_id, f.session_start
from {{ ref('visitor_windows') }} w
{{ lookup_by_day(ref('fact_sessions'), 'f', 'session_date', 'w.lo', 'w.hi',
                 'f.visitor_id = w.visitor_id and f.session_start between w.lo and w.hi') }}
where f.customer_id is not null and f.utm_campaign is not null
