-- Attribution touches (campaign sessions of customers) this build replaced, old and new:
-- a late touch changes the attribution of the customer's later orders.
select customer_id, session_start as touch_ts
from {{ ref('int_previous_sessions') }}
where customer_id is not null and utm_campaign is not null
union all
select f.customer_id, f.session_start
from {{ ref('visitor_windows') }} w
{{ utc_days('w.lo', 'w.hi') }}
{{ lookup_join(ref('fact_sessions'), 'f',
               'f.session_date = d.day and f.visitor_id = w.visitor_id'
               ' and f.session_start between w.lo and w.hi') }}
where f.customer_id is not null and f.utm_campaign is not null
