-- marts.daily_funnel: grain = one session date (UTC date of the session's first
-- event). Sessions reaching each step (monotone flags, see fact_sessions);
-- conversion rate = purchase_sessions / sessions.
DELETE FROM marts.daily_funnel m USING _affected_dates a WHERE m.session_date = a.d;

INSERT INTO marts.daily_funnel (session_date, sessions, product_view_sessions,
  add_to_cart_sessions, checkout_sessions, purchase_sessions, events)
SELECT s.session_date, count(*),
       count(*) FILTER (WHERE s.reached_product_view),
       count(*) FILTER (WHERE s.reached_add_to_cart),
       count(*) FILTER (WHERE s.reached_checkout),
       count(*) FILTER (WHERE s.reached_purchase),
       sum(s.event_count)
FROM _affected_dates a
JOIN warehouse.fact_sessions s ON s.session_date = a.d
GROUP BY s.session_date;
