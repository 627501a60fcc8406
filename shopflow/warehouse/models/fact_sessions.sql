-- fact_sessions: grain = one session (see int_sessionized_events). session_date =
-- UTC date of the first event. Funnel flags are monotone: a session that reached a
-- later step also reached the earlier ones (product_view < add_to_cart <
-- checkout_start < purchase). utm_* = the first event carrying any utm field;
-- device = the first event's device.
INSERT INTO _affected_dates
SELECT DISTINCT f.session_date
FROM _visitor_windows w
JOIN warehouse.fact_sessions f
  ON f.visitor_id = w.visitor_id AND f.session_start BETWEEN w.lo AND w.hi
ON CONFLICT DO NOTHING;

-- Campaign sessions of customers are attribution touches (mart_attribution_daily):
-- the ones replaced here, and below the new ones, change their later orders.
INSERT INTO _touch_changes (customer_id, touch_ts)
SELECT f.customer_id, f.session_start
FROM _visitor_windows w
JOIN warehouse.fact_sessions f
  ON f.visitor_id = w.visitor_id AND f.session_start BETWEEN w.lo AND w.hi
WHERE f.customer_id IS NOT NULL AND f.utm_campaign IS NOT NULL;

DELETE FROM warehouse.fact_sessions f USING _visitor_windows w
WHERE f.visitor_id = w.visitor_id AND f.session_start BETWEEN w.lo AND w.hi;

INSERT INTO warehouse.fact_sessions (session_id, visitor_id, customer_id, anonymous_id,
  session_start, session_end, session_date, date_key, duration_seconds, event_count,
  page_views, product_views, add_to_cart_events, checkout_events, purchase_events,
  reached_product_view, reached_add_to_cart, reached_checkout, reached_purchase,
  utm_source, utm_medium, utm_campaign, device)
SELECT session_id, visitor_id,
       CASE WHEN visitor_id LIKE 'c:%' THEN substr(visitor_id, 3) END,
       (array_agg(anonymous_id ORDER BY event_ts, event_id)
          FILTER (WHERE anonymous_id IS NOT NULL))[1],
       session_start, max(event_ts), (session_start AT TIME ZONE 'UTC')::date,
       to_char((session_start AT TIME ZONE 'UTC')::date, 'YYYYMMDD')::int,
       extract(epoch FROM max(event_ts) - session_start)::int,
       count(*),
       count(*) FILTER (WHERE event_type = 'page_view'),
       count(*) FILTER (WHERE event_type = 'product_view'),
       count(*) FILTER (WHERE event_type = 'add_to_cart'),
       count(*) FILTER (WHERE event_type = 'checkout_start'),
       count(*) FILTER (WHERE event_type = 'purchase'),
       bool_or(event_type IN ('product_view', 'add_to_cart', 'checkout_start', 'purchase')),
       bool_or(event_type IN ('add_to_cart', 'checkout_start', 'purchase')),
       bool_or(event_type IN ('checkout_start', 'purchase')),
       bool_or(event_type = 'purchase'),
       (array_agg(utm_source ORDER BY event_ts, event_id)
          FILTER (WHERE coalesce(utm_source, utm_medium, utm_campaign) IS NOT NULL))[1],
       (array_agg(utm_medium ORDER BY event_ts, event_id)
          FILTER (WHERE coalesce(utm_source, utm_medium, utm_campaign) IS NOT NULL))[1],
       (array_agg(utm_campaign ORDER BY event_ts, event_id)
          FILTER (WHERE coalesce(utm_source, utm_medium, utm_campaign) IS NOT NULL))[1],
       (array_agg(device ORDER BY event_ts, event_id) FILTER (WHERE device IS NOT NULL))[1]
FROM _session_events
GROUP BY session_id, visitor_id, session_start;

INSERT INTO _affected_dates
SELECT DISTINCT (session_start AT TIME ZONE 'UTC')::date FROM _session_events
ON CONFLICT DO NOTHING;

INSERT INTO _touch_changes (customer_id, touch_ts)
SELECT f.customer_id, f.session_start
FROM _visitor_windows w
JOIN warehouse.fact_sessions f
  ON f.visitor_id = w.visitor_id AND f.session_start BETWEEN w.lo AND w.hi
WHERE f.customer_id IS NOT NULL AND f.utm_campaign IS NOT NULL;
