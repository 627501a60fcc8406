-- Warehouse (star schema) and marts. Tables are written only by the transformer
-- (default privileges from 0001); the API reads marts.*, including the views at
-- the end, which are the read model for figures relative to "today".
-- Every table and column is described in docs/warehouse.md.

-- Deterministic surrogate keys: 63 bits of md5 over the key parts, so an
-- incremental build and a full refresh give the same keys (decision 0031).
CREATE FUNCTION warehouse.surrogate_key(VARIADIC parts text[]) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (('x' || left(md5(array_to_string(parts, '|', '∅')), 16))::bit(64)::bigint
          & 9223372036854775807)
$$;

-- ------------------------------------------------------------- dimensions
CREATE TABLE warehouse.dim_date (
  date_key        integer PRIMARY KEY,          -- yyyymmdd; -1 = unknown date
  full_date       date UNIQUE,                  -- NULL only for the unknown row
  year            integer, quarter integer, month integer, month_name text,
  day_of_month    integer, day_of_year integer,
  iso_year        integer, iso_week integer, iso_day_of_week integer, day_name text,
  week_start      date,
  is_weekend      boolean NOT NULL DEFAULT false,
  is_month_end    boolean NOT NULL DEFAULT false,
  fiscal_year     integer, fiscal_quarter integer, fiscal_month integer,
  is_holiday      boolean NOT NULL DEFAULT false,
  holiday_name    text
);

CREATE TABLE warehouse.dim_customer (
  customer_key    bigint PRIMARY KEY,
  customer_id     text NOT NULL,
  version_number  integer NOT NULL,
  email text, first_name text, last_name text, country text, region text, city text,
  segment text, signup_date date,
  valid_from      timestamptz,                  -- NULL only for an inferred member
  valid_to        timestamptz,                  -- NULL = open (current version)
  is_current      boolean NOT NULL,
  is_inferred     boolean NOT NULL,
  change_hash     text,
  source_batch_id text, source_file text, source_line integer,
  UNIQUE (customer_id, version_number)
);
CREATE UNIQUE INDEX dim_customer_current_idx ON warehouse.dim_customer (customer_id)
  WHERE is_current;

CREATE TABLE warehouse.dim_product (
  product_key     bigint PRIMARY KEY,
  product_id      text NOT NULL,
  version_number  integer NOT NULL,
  sku text, name text, category text, subcategory text, brand text,
  unit_cost numeric, list_price numeric, rating numeric,
  valid_from      timestamptz,
  valid_to        timestamptz,
  is_current      boolean NOT NULL,
  is_inferred     boolean NOT NULL,
  change_hash     text,
  source_batch_id text, source_file text, source_line integer,
  UNIQUE (product_id, version_number)
);
CREATE UNIQUE INDEX dim_product_current_idx ON warehouse.dim_product (product_id)
  WHERE is_current;

CREATE TABLE warehouse.dim_campaign (
  campaign_key    bigint PRIMARY KEY,
  campaign_id     text NOT NULL UNIQUE,
  name text, channel text, start_date date, end_date date,
  budget numeric, discount_pct numeric,
  is_inferred     boolean NOT NULL,
  source_batch_id text, source_file text, source_line integer
);

-- ------------------------------------------------------------------ facts
CREATE TABLE warehouse.fact_orders (
  order_id        text PRIMARY KEY,
  customer_id     text NOT NULL,
  customer_key    bigint,
  campaign_id     text,
  campaign_key    bigint,
  order_ts        timestamptz NOT NULL,
  order_date      date NOT NULL,
  date_key        integer NOT NULL,
  status          text NOT NULL,
  is_revenue      boolean NOT NULL,             -- latest status not cancelled/returned
  channel text, currency text, payment_method text,
  shipping_amount numeric NOT NULL,
  updated_at      timestamptz NOT NULL,
  line_count      integer NOT NULL,
  units           integer NOT NULL,
  gross_amount    numeric NOT NULL,
  discount_amount numeric NOT NULL,
  net_amount      numeric NOT NULL,
  cost_amount     numeric,
  source_batch_id text NOT NULL
);
CREATE INDEX fact_orders_date_idx ON warehouse.fact_orders (order_date);
CREATE INDEX fact_orders_customer_idx ON warehouse.fact_orders (customer_id, order_ts);

CREATE TABLE warehouse.fact_order_items (
  order_id        text NOT NULL,
  line_number     integer NOT NULL,
  order_ts        timestamptz,                  -- NULL while the order header is missing
  order_date      date,
  date_key        integer NOT NULL,             -- -1 while the order header is missing
  customer_id     text,
  customer_key    bigint,
  product_id      text NOT NULL,
  product_key     bigint NOT NULL,
  campaign_id     text,
  order_status    text,
  is_revenue      boolean NOT NULL,
  category        text NOT NULL,                -- product version at order time; 'unknown'
  quantity        integer NOT NULL,
  unit_price      numeric NOT NULL,
  discount_amount numeric NOT NULL,
  gross_amount    numeric NOT NULL,
  net_amount      numeric NOT NULL,
  unit_cost       numeric,
  cost_amount     numeric,
  margin_amount   numeric,
  source_batch_id text NOT NULL,
  PRIMARY KEY (order_id, line_number)
);
CREATE INDEX fact_order_items_date_idx ON warehouse.fact_order_items (order_date);
CREATE INDEX fact_order_items_product_idx ON warehouse.fact_order_items (product_id, order_ts);

CREATE TABLE warehouse.fact_events (
  event_id        text PRIMARY KEY,
  event_ts        timestamptz NOT NULL,
  event_date      date NOT NULL,
  visitor_id      text NOT NULL,                -- 'c:'||customer_id, else 'a:'||anonymous_id
  customer_id     text, anonymous_id text,
  session_id      bigint,
  event_type      text NOT NULL,
  product_id text, order_id text, page_url text, referrer text,
  utm_source text, utm_medium text, utm_campaign text, device text,
  source_batch_id text NOT NULL
);
CREATE INDEX fact_events_visitor_idx ON warehouse.fact_events (visitor_id, event_ts);

CREATE TABLE warehouse.fact_sessions (
  session_id      bigint PRIMARY KEY,
  visitor_id      text NOT NULL,
  customer_id text, anonymous_id text,
  session_start   timestamptz NOT NULL,
  session_end     timestamptz NOT NULL,
  session_date    date NOT NULL,
  date_key        integer NOT NULL,
  duration_seconds integer NOT NULL,
  event_count     integer NOT NULL,
  page_views integer NOT NULL, product_views integer NOT NULL,
  add_to_cart_events integer NOT NULL, checkout_events integer NOT NULL,
  purchase_events integer NOT NULL,
  reached_product_view boolean NOT NULL, reached_add_to_cart boolean NOT NULL,
  reached_checkout boolean NOT NULL, reached_purchase boolean NOT NULL,
  utm_source text, utm_medium text, utm_campaign text, device text
);
CREATE INDEX fact_sessions_visitor_idx ON warehouse.fact_sessions (visitor_id, session_start);
CREATE INDEX fact_sessions_date_idx ON warehouse.fact_sessions (session_date);
CREATE INDEX fact_sessions_touch_idx ON warehouse.fact_sessions (customer_id, session_start)
  WHERE utm_campaign IS NOT NULL;

CREATE TABLE warehouse.fact_inventory_daily (
  snapshot_date   date NOT NULL,
  product_id      text NOT NULL,
  warehouse_id    text NOT NULL,
  date_key        integer NOT NULL,
  product_key     bigint NOT NULL,
  on_hand         integer NOT NULL,
  reorder_point   integer,
  is_stockout     boolean NOT NULL,
  below_reorder_point boolean NOT NULL,
  source_batch_id text NOT NULL,
  PRIMARY KEY (snapshot_date, product_id, warehouse_id)
);
CREATE INDEX fact_inventory_product_idx
  ON warehouse.fact_inventory_daily (product_id, snapshot_date);

CREATE TABLE warehouse.fact_reviews (
  review_id       text PRIMARY KEY,
  order_id        text NOT NULL,
  product_id text, product_key bigint,
  customer_id text, customer_key bigint,
  rating          integer NOT NULL,
  review_ts       timestamptz NOT NULL,
  review_date     date NOT NULL,
  date_key        integer NOT NULL,
  title text, body text,
  source_batch_id text NOT NULL
);
CREATE INDEX fact_reviews_product_idx ON warehouse.fact_reviews (product_id, review_ts);
CREATE INDEX fact_reviews_customer_idx ON warehouse.fact_reviews (customer_id, review_ts);

-- ------------------------------------------------------------------ marts
CREATE TABLE marts.daily_sales (
  sales_date      date PRIMARY KEY,
  revenue numeric NOT NULL, orders integer NOT NULL, units integer NOT NULL,
  customers integer NOT NULL, new_customers integer NOT NULL,
  gross_amount numeric NOT NULL, discount_amount numeric NOT NULL,
  cost_amount numeric NOT NULL, margin_amount numeric NOT NULL,
  shipping_amount numeric NOT NULL
);

CREATE TABLE marts.daily_category_sales (
  sales_date      date NOT NULL,
  category        text NOT NULL,
  revenue numeric NOT NULL, orders integer NOT NULL, units integer NOT NULL,
  customers integer NOT NULL, new_customers integer NOT NULL,
  gross_amount numeric NOT NULL, discount_amount numeric NOT NULL,
  cost_amount numeric NOT NULL, margin_amount numeric NOT NULL,
  PRIMARY KEY (sales_date, category)
);

CREATE TABLE marts.daily_product_sales (
  sales_date      date NOT NULL,
  product_id      text NOT NULL,
  category        text NOT NULL,
  revenue numeric NOT NULL, orders integer NOT NULL, units integer NOT NULL,
  cost_amount numeric NOT NULL, margin_amount numeric NOT NULL,
  PRIMARY KEY (sales_date, product_id)
);

CREATE TABLE marts.customer_daily_sales (
  sales_date      date NOT NULL,
  customer_id     text NOT NULL,
  revenue numeric NOT NULL, orders integer NOT NULL, units integer NOT NULL,
  PRIMARY KEY (sales_date, customer_id)
);
CREATE INDEX customer_daily_sales_customer_idx ON marts.customer_daily_sales (customer_id);

CREATE TABLE marts.customer_lifetime (
  customer_id       text PRIMARY KEY,
  total_revenue     numeric NOT NULL,
  orders            integer NOT NULL,
  units             integer NOT NULL,
  first_order_date  date NOT NULL,
  last_order_date   date NOT NULL,
  purchase_days     integer NOT NULL,
  frequency         integer NOT NULL,
  recency           integer NOT NULL
);
CREATE INDEX customer_lifetime_first_idx ON marts.customer_lifetime (first_order_date);

CREATE TABLE marts.cohort_activity (
  cohort_month        date NOT NULL,
  activity_month      date NOT NULL,
  months_since_first  integer NOT NULL,
  customers integer NOT NULL, orders integer NOT NULL, revenue numeric NOT NULL,
  PRIMARY KEY (cohort_month, activity_month)
);

CREATE TABLE marts.daily_funnel (
  session_date      date PRIMARY KEY,
  sessions integer NOT NULL,
  product_view_sessions integer NOT NULL,
  add_to_cart_sessions integer NOT NULL,
  checkout_sessions integer NOT NULL,
  purchase_sessions integer NOT NULL,
  events integer NOT NULL
);

CREATE TABLE marts.attribution_daily (
  order_date      date NOT NULL,
  model           text NOT NULL CHECK (model IN ('first_touch', 'last_touch', 'linear')),
  campaign_id     text NOT NULL,                -- '(none)' for orders without a touch
  revenue         numeric NOT NULL,
  orders          numeric NOT NULL,             -- fractional under the linear model
  PRIMARY KEY (order_date, model, campaign_id)
);

CREATE TABLE marts.inventory_daily (
  snapshot_date   date NOT NULL,
  product_id      text NOT NULL,
  on_hand         integer NOT NULL,
  reorder_point   integer,
  warehouses      integer NOT NULL,
  warehouses_out  integer NOT NULL,
  is_stockout     boolean NOT NULL,
  below_reorder_point boolean NOT NULL,
  units_sold      integer NOT NULL,
  PRIMARY KEY (snapshot_date, product_id)
);
CREATE INDEX inventory_daily_product_idx ON marts.inventory_daily (product_id, snapshot_date);

-- ------------------------------------------------------------ read views
-- "Last date in the warehouse": the latest order date (SPEC 3, the T of BG/NBD).
CREATE VIEW marts.warehouse_as_of AS
  SELECT max(order_date) AS as_of_date FROM warehouse.fact_orders;

-- The calendar for grouping by ISO week, month, fiscal period, holiday.
CREATE VIEW marts.calendar AS
  SELECT * FROM warehouse.dim_date WHERE date_key <> -1;

CREATE VIEW marts.customer_ltv AS
WITH base AS (
  SELECT c.customer_id, c.segment, c.country, c.is_inferred,
         coalesce(l.total_revenue, 0) AS total_revenue, coalesce(l.orders, 0) AS orders,
         coalesce(l.units, 0) AS units, l.first_order_date, l.last_order_date,
         l.frequency, l.recency, a.as_of_date - l.first_order_date AS t,
         a.as_of_date - l.last_order_date AS days_since_last_order, a.as_of_date
  FROM warehouse.dim_customer c
  LEFT JOIN marts.customer_lifetime l USING (customer_id)
  CROSS JOIN marts.warehouse_as_of a
  WHERE c.is_current
), scored AS (
  SELECT b.*,
    CASE WHEN b.orders = 0 THEN NULL
         WHEN b.days_since_last_order <= 14 THEN 5 WHEN b.days_since_last_order <= 30 THEN 4
         WHEN b.days_since_last_order <= 60 THEN 3 WHEN b.days_since_last_order <= 120 THEN 2
         ELSE 1 END AS r_score,
    CASE WHEN b.orders = 0 THEN NULL WHEN b.orders >= 10 THEN 5 WHEN b.orders >= 6 THEN 4
         WHEN b.orders >= 4 THEN 3 WHEN b.orders >= 2 THEN 2 ELSE 1 END AS f_score,
    CASE WHEN b.orders = 0 THEN NULL WHEN b.total_revenue >= 2000 THEN 5
         WHEN b.total_revenue >= 1000 THEN 4 WHEN b.total_revenue >= 500 THEN 3
         WHEN b.total_revenue >= 200 THEN 2 ELSE 1 END AS m_score,
    CASE WHEN b.orders = 0 THEN NULL
         ELSE b.days_since_last_order::numeric
              / greatest(CASE WHEN b.frequency > 0 THEN b.recency::numeric / b.frequency
                              ELSE 30 END, 7) END AS churn_ratio
  FROM base b
)
SELECT s.customer_id, s.segment, s.country, s.is_inferred, s.total_revenue, s.orders,
       s.units, s.first_order_date, s.last_order_date, s.frequency, s.recency, s.t,
       s.days_since_last_order, s.as_of_date, s.r_score, s.f_score, s.m_score,
       CASE WHEN s.orders = 0 THEN 'no_orders'
            WHEN s.r_score >= 4 AND s.f_score >= 4 THEN 'champions'
            WHEN s.r_score >= 4 AND s.f_score = 1 THEN 'new_customers'
            WHEN s.r_score >= 4 THEN 'potential_loyalists'
            WHEN s.r_score >= 3 AND s.f_score >= 3 THEN 'loyal_customers'
            WHEN s.r_score <= 2 AND s.f_score >= 3 THEN 'at_risk'
            WHEN s.r_score <= 2 THEN 'hibernating'
            ELSE 'needs_attention' END AS rfm_segment,
       round(s.churn_ratio, 4) AS churn_score,
       CASE WHEN s.orders = 0 THEN NULL
            WHEN s.churn_ratio >= 3 OR s.days_since_last_order >= 90 THEN 'high'
            WHEN s.churn_ratio >= 1.5 OR s.days_since_last_order >= 45 THEN 'medium'
            ELSE 'low' END AS churn_risk
FROM scored s;

CREATE VIEW marts.customer_history AS
  SELECT customer_id, version_number, customer_key, email, first_name, last_name, country,
         region, city, segment, signup_date, valid_from, valid_to, is_current, is_inferred
  FROM warehouse.dim_customer;

CREATE VIEW marts.products AS
  SELECT product_id, product_key, sku, name, category, subcategory, brand, unit_cost,
         list_price, rating, is_inferred, valid_from AS current_since
  FROM warehouse.dim_product WHERE is_current;

CREATE VIEW marts.campaigns AS
  SELECT campaign_id, name, channel, start_date, end_date, budget, discount_pct, is_inferred
  FROM warehouse.dim_campaign;

CREATE VIEW marts.attribution AS
  SELECT a.order_date, a.model, a.campaign_id, c.name AS campaign_name,
         CASE WHEN a.campaign_id = '(none)' THEN 'direct'
              ELSE coalesce(c.channel, 'unknown') END AS channel,
         a.revenue, a.orders
  FROM marts.attribution_daily a
  LEFT JOIN warehouse.dim_campaign c USING (campaign_id);

CREATE VIEW marts.cohort_retention AS
  SELECT a.cohort_month, a.activity_month, a.months_since_first, a.customers, a.orders,
         a.revenue, z.customers AS cohort_customers,
         round(a.customers::numeric / z.customers, 4) AS retention_rate
  FROM marts.cohort_activity a
  JOIN marts.cohort_activity z
    ON z.cohort_month = a.cohort_month AND z.months_since_first = 0;

-- ----------------------------------------------------------- build ledger
ALTER TABLE ops.builds ADD COLUMN batch_sequence integer;
CREATE INDEX builds_batch_idx ON ops.builds (batch_id, batch_sequence);
CREATE INDEX quality_checks_status_idx ON ops.quality_checks (status, checked_at);

-- ----------------------------------------------- staging access paths (transformer)
CREATE INDEX staging_orders_customer_idx ON staging.orders (customer_id);
CREATE INDEX staging_clickstream_event_idx ON staging.clickstream (event_id);
CREATE INDEX staging_inventory_key_idx ON staging.inventory (snapshot_date, product_id);
CREATE INDEX staging_campaigns_key_idx ON staging.campaigns (campaign_id);

-- 0001's default privileges already cover these objects (same owner); explicit
-- grants keep them correct if an operator runs this file as another role.
GRANT SELECT ON ALL TABLES IN SCHEMA marts TO shopflow_api;
GRANT EXECUTE ON FUNCTION warehouse.surrogate_key(text[]) TO shopflow_transformer;
