-- marts.attribution_daily: grain = (order date, model, campaign_id): revenue and
-- orders of qualifying orders credited to campaigns.
-- Touches of an order (decision 0036):
--   * every session of the order's customer with a campaign (fact_sessions.
--     utm_campaign, from its first event carrying utm fields) that started at or
--     before order_ts and less than 30 days before it (sessions of anonymous
--     visitors are not linked to customers and do not count);
--   * the order's own campaign_id, as a touch at order_ts (after the sessions).
-- first_touch / last_touch credit the whole order to the earliest / latest touch;
-- linear splits it evenly over all touches: each gets revenue truncated to the cent
-- and the last touch the remaining cents (credits sum to the revenue exactly), and
-- 1/n order rounded to 6 places. An order without touches goes to '(none)'.
DELETE FROM marts.attribution_daily m USING _affected_dates a WHERE m.order_date = a.d;

WITH orders AS (
  SELECT f.order_id, f.customer_id, f.order_ts, f.order_date, f.net_amount, f.campaign_id
  FROM _affected_dates a
  JOIN warehouse.fact_orders f ON f.order_date = a.d
  WHERE f.is_revenue
), touches AS (
  SELECT o.order_id, s.session_start AS touch_ts, 0 AS source_rank, s.session_id AS ref,
         s.utm_campaign AS campaign_id
  FROM orders o
  JOIN warehouse.fact_sessions s
    ON s.customer_id = o.customer_id AND s.utm_campaign IS NOT NULL
   AND s.session_start <= o.order_ts AND s.session_start > o.order_ts - interval '30 days'
  UNION ALL
  SELECT order_id, order_ts, 1, 0, campaign_id FROM orders WHERE campaign_id IS NOT NULL
), ranked AS (
  SELECT t.order_id, t.campaign_id,
         row_number() OVER (PARTITION BY t.order_id
                            ORDER BY t.touch_ts, t.source_rank, t.ref) AS position,
         count(*) OVER (PARTITION BY t.order_id) AS touches
  FROM touches t
), credits AS (
  SELECT o.order_date, 'first_touch' AS model, coalesce(r.campaign_id, '(none)') AS campaign_id,
         o.net_amount AS revenue, 1::numeric AS orders
  FROM orders o LEFT JOIN ranked r ON r.order_id = o.order_id AND r.position = 1
  UNION ALL
  SELECT o.order_date, 'last_touch', coalesce(r.campaign_id, '(none)'), o.net_amount, 1
  FROM orders o LEFT JOIN ranked r ON r.order_id = o.order_id AND r.position = r.touches
  UNION ALL
  SELECT o.order_date, 'linear', coalesce(r.campaign_id, '(none)'),
         CASE WHEN r.order_id IS NULL THEN o.net_amount
              WHEN r.position < r.touches THEN trunc(o.net_amount / r.touches, 2)
              ELSE o.net_amount - trunc(o.net_amount / r.touches, 2) * (r.touches - 1) END,
         CASE WHEN r.order_id IS NULL THEN 1 ELSE round(1::numeric / r.touches, 6) END
  FROM orders o LEFT JOIN ranked r ON r.order_id = o.order_id
)
INSERT INTO marts.attribution_daily (order_date, model, campaign_id, revenue, orders)
SELECT order_date, model, campaign_id, sum(revenue), sum(orders)
FROM credits
GROUP BY order_date, model, campaign_id;
