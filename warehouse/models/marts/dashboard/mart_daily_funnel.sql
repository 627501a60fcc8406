-- marts.daily_funnel: grain = one session date (UTC date of the session's first event).
-- Sessions reaching each step (monotone flags, see fact_sessions); conversion rate =
-- purchase_sessions / sessions. Rebuilt for the session dates the build changed.
{{ config(alias='daily_funnel', scope='affected_session_dates',
          scope_on='t.session_date = s.d') }}
select s.session_date, count(*) as sessions,
       count(*) filter (where s.reached_product_view) as product_view_sessions,
       count(*) filter (where s.reached_add_to_cart) as add_to_cart_sessions,
       count(*) filter (where s.reached_checkout) as checkout_sessions,
       count(*) filter (where s.reached_purchase) as purchase_sessions,
       sum(s.event_count) as events
from {{ ref('affected_session_dates') }} a
join {{ ref('fact_sessions') }} s on s.session_date = a.d
group by s.session_date
