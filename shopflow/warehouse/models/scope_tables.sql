-- Working tables of one build (dropped at commit). A build is a pure function of
-- staging restricted to these scopes: the batch fills them with the keys its rows
-- touch, a full refresh with every key, and the models below only ever replace
-- rows inside them (delete + insert), which is why both paths give the same tables.
CREATE TEMP TABLE _scope_customers (customer_id text PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _scope_products (product_id text PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _scope_campaigns (campaign_id text PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _scope_orders (order_id text PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _scope_events (event_id text PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _scope_inventory (
  snapshot_date date, product_id text, PRIMARY KEY (snapshot_date, product_id)
) ON COMMIT DROP;
CREATE TEMP TABLE _scope_reviews (review_id text PRIMARY KEY) ON COMMIT DROP;

-- Dimension keys whose version history changed, and from which instant the
-- "version in effect" mapping differs ('-infinity' = for every fact).
CREATE TEMP TABLE _dim_changes (
  entity text, natural_key text, changed_from timestamptz NOT NULL,
  PRIMARY KEY (entity, natural_key)
) ON COMMIT DROP;

-- What the marts must recompute, collected by the fact models (old and new values).
CREATE TEMP TABLE _affected_dates (d date PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _affected_customers (customer_id text PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _affected_months (m date PRIMARY KEY) ON COMMIT DROP;
CREATE TEMP TABLE _visitor_windows (
  visitor_id text PRIMARY KEY, lo timestamptz NOT NULL, hi timestamptz NOT NULL
) ON COMMIT DROP;
-- Attribution touches (campaign sessions of customers) replaced by this build,
-- old and new: a late touch changes the attribution of the customer's later orders.
CREATE TEMP TABLE _touch_changes (customer_id text, touch_ts timestamptz) ON COMMIT DROP;

INSERT INTO _affected_dates (d)
SELECT DISTINCT unnest(hint_dates) FROM _build WHERE hint_dates IS NOT NULL;
