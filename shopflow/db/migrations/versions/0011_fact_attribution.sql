-- warehouse.fact_attribution: the credits of each revenue order per attribution model and
-- campaign (warehouse/models/marts/warehouse/fact_attribution.sql); marts.attribution_daily
-- sums them per order date. A daily build recomputes only the orders whose credits can
-- change, so the table is filled here from the warehouse as it stands (the model's rules
-- at this revision): an upgraded warehouse needs no full refresh.
CREATE TABLE warehouse.fact_attribution (
  order_id        text NOT NULL,
  model           text NOT NULL CHECK (model IN ('first_touch', 'last_touch', 'linear')),
  campaign_id     text NOT NULL,                -- '(none)' for orders without a touch
  order_date      date NOT NULL,
  revenue         numeric NOT NULL,
  orders          numeric NOT NULL,             -- fractional under the linear model
  PRIMARY KEY (order_id, model, campaign_id)
);
CREATE INDEX fact_attribution_date_idx ON warehouse.fact_attribution (order_date);

-- A daily build finds the sessions next to its events among those that ended recently
-- (warehouse/models/intermediate/visitor_windows.sql, decision 0083), and the campaign
-- touches of an order: both read from the index alone (index-only scans).
CREATE INDEX fact_sessions_end_idx ON warehouse.fact_sessions (session_end)
  INCLUDE (visitor_id, session_start);
DROP INDEX warehouse.fact_sessions_touch_idx;
CREATE INDEX fact_sessions_touch_idx ON warehouse.fact_sessions (customer_id, session_start)
  INCLUDE (session_id, utm_campaign) WHERE utm_campaign IS NOT NULL;

INSERT INTO warehouse.fact_attribution
WITH orders AS (
  SELECT order_id, customer_id, order_ts, order_date, net_amount, campaign_id
  FROM warehouse.fact_orders WHERE is_revenue
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
  SELECT o.order_id, o.order_date, 'first_touch' AS model,
         coalesce(r.campaign_id, '(none)') AS campaign_id, o.net_amount AS revenue,
         1::numeric AS orders
  FROM orders o LEFT JOIN ranked r ON r.order_id = o.order_id AND r.position = 1
  UNION ALL
  SELECT o.order_id, o.order_date, 'last_touch', coalesce(r.campaign_id, '(none)'),
         o.net_amount, 1
  FROM orders o LEFT JOIN ranked r ON r.order_id = o.order_id AND r.position = r.touches
  UNION ALL
  SELECT o.order_id, o.order_date, 'linear', coalesce(r.campaign_id, '(none)'),
         CASE WHEN r.order_id IS NULL THEN o.net_amount
              WHEN r.position < r.touches THEN trunc(o.net_amount / r.touches, 2)
              ELSE o.net_amount - trunc(o.net_amount / r.touches, 2) * (r.touches - 1) END,
         CASE WHEN r.order_id IS NULL THEN 1 ELSE round(1::numeric / r.touches, 6) END
  FROM orders o LEFT JOIN ranked r ON r.order_id = o.order_id
)
SELECT order_id, model, campaign_id, order_date, sum(revenue), sum(orders)
FROM credits
GROUP BY order_id, model, campaign_id, order_date;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON warehouse.fact_attribution TO shopflow_transformer;
