-- Roles: one per service (SPEC section 6). LOGIN without password here;
-- `shopflow init` sets passwords from the environment where they are given.
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['shopflow_ingestor', 'shopflow_loader',
                           'shopflow_transformer', 'shopflow_api'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN', r);
    END IF;
  END LOOP;
END $$;

CREATE SCHEMA IF NOT EXISTS ops;
CREATE SCHEMA IF NOT EXISTS staging;
CREATE SCHEMA IF NOT EXISTS warehouse;
CREATE SCHEMA IF NOT EXISTS marts;
REVOKE ALL ON SCHEMA ops, staging, warehouse, marts FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- ---------------------------------------------------------------- ops ledger
-- The ingestor's memory of what it published: one row per distinct file content.
CREATE TABLE ops.ingested_files (
  sha256       text PRIMARY KEY,
  batch_id     text NOT NULL,
  file_name    text NOT NULL,
  entity       text NOT NULL,
  status       text NOT NULL CHECK (status IN ('publishing', 'published')),
  records      integer,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz
);

CREATE TABLE ops.batches (
  batch_id           text PRIMARY KEY,
  business_date      date,
  opened_at          timestamptz,
  files_expected     integer,
  published_at       timestamptz,        -- BatchPublished seen: no more files coming
  records_published  integer,
  completed_at       timestamptz,        -- first BatchCompleted
  completions        integer NOT NULL DEFAULT 0,
  completed_total    integer NOT NULL DEFAULT 0,  -- loaded+rejected at the last completion
  loaded_at_completion integer NOT NULL DEFAULT 0,
  updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE ops.batch_files (
  batch_id           text NOT NULL,
  file_name          text NOT NULL,
  entity             text,
  sha256             text,
  status             text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'published', 'quarantined', 'skipped')),
  records_published  integer,
  loaded             integer NOT NULL DEFAULT 0,
  rejected           integer NOT NULL DEFAULT 0,
  code               text,
  reason             text,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, file_name)
);

-- One row per dead-lettered source record (its provenance is its identity);
-- a replay that fails again updates attempt, one that loads sets resolved_at.
CREATE TABLE ops.dead_letters (
  batch_id            text NOT NULL,
  source_file         text NOT NULL,
  line_number         integer NOT NULL,
  entity              text NOT NULL,
  codes               text[] NOT NULL,
  errors              jsonb NOT NULL,
  contract_version    integer,
  original_topic      text,
  original_partition  integer,
  original_offset     bigint,
  dlq_topic           text NOT NULL,
  dlq_partition       integer NOT NULL,
  dlq_offset          bigint NOT NULL,
  attempt             integer NOT NULL DEFAULT 1,
  first_failed_at     timestamptz NOT NULL,
  last_failed_at      timestamptz NOT NULL,
  record_key          bytea,
  payload             bytea,
  resolved_at         timestamptz,
  replay_id           text,
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE INDEX dead_letters_entity_idx ON ops.dead_letters (entity, last_failed_at);
CREATE INDEX dead_letters_codes_idx ON ops.dead_letters USING gin (codes);

CREATE TABLE ops.dlq_replays (
  replay_id     text PRIMARY KEY,
  requested_by  text NOT NULL,
  requested_at  timestamptz NOT NULL DEFAULT now(),
  source        text NOT NULL CHECK (source IN ('dlq', 'file', 'api')),
  selection     jsonb NOT NULL,
  dry_run       boolean NOT NULL,
  selected      integer NOT NULL,
  resubmitted   integer NOT NULL,
  skipped       integer NOT NULL,
  note          text
);

-- Which letters each replay re-submitted (a letter is replayed at most once per attempt).
CREATE TABLE ops.replayed_letters (
  replay_id    text NOT NULL REFERENCES ops.dlq_replays (replay_id),
  batch_id     text NOT NULL,
  source_file  text NOT NULL,
  line_number  integer NOT NULL,
  attempt      integer NOT NULL,
  edited       boolean NOT NULL DEFAULT false,
  replayed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (replay_id, batch_id, source_file, line_number)
);
CREATE UNIQUE INDEX replayed_letters_once_per_attempt
  ON ops.replayed_letters (batch_id, source_file, line_number, attempt);

CREATE TABLE ops.builds (
  build_id     bigserial PRIMARY KEY,
  trigger      text NOT NULL,
  batch_id     text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  status       text NOT NULL DEFAULT 'running'
               CHECK (status IN ('running', 'succeeded', 'failed', 'failed_quality')),
  dates        date[],
  stats        jsonb NOT NULL DEFAULT '{}',
  error        text
);

CREATE TABLE ops.quality_checks (
  build_id    bigint NOT NULL REFERENCES ops.builds (build_id) ON DELETE CASCADE,
  check_name  text NOT NULL,
  status      text NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
  observed    numeric,
  threshold   numeric,
  details     jsonb NOT NULL DEFAULT '{}',
  checked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (build_id, check_name)
);

-- ------------------------------------------------------------------ staging
-- Append-only, one row per accepted source record, identified by its provenance
-- (batch_id, source_file, line_number): redeliveries and replays of the same
-- record insert nothing. New versions of a natural key are new rows; the
-- transformer orders them by updated_at.
CREATE TABLE staging.customers (
  customer_id text NOT NULL, email text, first_name text, last_name text,
  country text NOT NULL, region text, city text, segment text, signup_date date,
  updated_at timestamptz NOT NULL,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE TABLE staging.products (
  product_id text NOT NULL, sku text, name text, category text, subcategory text,
  brand text, unit_cost numeric, list_price numeric, rating numeric,
  updated_at timestamptz NOT NULL,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE TABLE staging.orders (
  order_id text NOT NULL, customer_id text NOT NULL, order_ts timestamptz NOT NULL,
  status text NOT NULL, channel text, campaign_id text, currency text NOT NULL,
  shipping_amount numeric NOT NULL, payment_method text, updated_at timestamptz NOT NULL,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE TABLE staging.order_items (
  order_id text NOT NULL, line_number integer NOT NULL, product_id text NOT NULL,
  quantity integer NOT NULL, unit_price numeric NOT NULL, discount_amount numeric NOT NULL,
  batch_id text NOT NULL, source_file text NOT NULL, source_line integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, source_line)
);
CREATE TABLE staging.clickstream (
  event_id text NOT NULL, event_ts timestamptz NOT NULL, customer_id text,
  anonymous_id text, event_type text NOT NULL, product_id text, order_id text,
  page_url text, referrer text, utm_source text, utm_medium text, utm_campaign text,
  device text,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE TABLE staging.inventory (
  snapshot_date date NOT NULL, product_id text NOT NULL, warehouse_id text NOT NULL,
  on_hand integer NOT NULL, reorder_point integer,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE TABLE staging.campaigns (
  campaign_id text NOT NULL, name text NOT NULL, channel text, start_date date NOT NULL,
  end_date date NOT NULL, budget numeric, discount_pct numeric,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE TABLE staging.reviews (
  review_id text NOT NULL, order_id text NOT NULL, product_id text, customer_id text,
  rating integer NOT NULL, review_ts timestamptz NOT NULL, title text, body text,
  batch_id text NOT NULL, source_file text NOT NULL, line_number integer NOT NULL,
  replay_id text, loaded_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, source_file, line_number)
);
CREATE INDEX customers_key_idx ON staging.customers (customer_id);
CREATE INDEX products_key_idx ON staging.products (product_id);
CREATE INDEX orders_key_idx ON staging.orders (order_id);
CREATE INDEX order_items_key_idx ON staging.order_items (order_id, line_number);
CREATE INDEX clickstream_ts_idx ON staging.clickstream (event_ts);
CREATE INDEX inventory_date_idx ON staging.inventory (snapshot_date);
CREATE INDEX reviews_key_idx ON staging.reviews (review_id);
CREATE INDEX staging_orders_batch_idx ON staging.orders (batch_id);
CREATE INDEX staging_items_batch_idx ON staging.order_items (batch_id);

-- ------------------------------------------------------------------- grants
GRANT USAGE ON SCHEMA ops TO shopflow_ingestor, shopflow_loader, shopflow_transformer,
  shopflow_api;
GRANT SELECT, INSERT, UPDATE ON ops.ingested_files TO shopflow_ingestor;

GRANT USAGE ON SCHEMA staging TO shopflow_loader, shopflow_transformer;
GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA staging TO shopflow_loader;
GRANT SELECT, INSERT, UPDATE ON ops.batches, ops.batch_files, ops.dead_letters
  TO shopflow_loader;
GRANT SELECT ON ops.ingested_files, ops.dlq_replays TO shopflow_loader;

GRANT SELECT ON ALL TABLES IN SCHEMA staging TO shopflow_transformer;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO shopflow_transformer;
GRANT INSERT, UPDATE, DELETE ON ops.builds, ops.quality_checks TO shopflow_transformer;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ops TO shopflow_transformer;
GRANT USAGE ON SCHEMA warehouse, marts TO shopflow_transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA warehouse
  GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO shopflow_transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA marts
  GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO shopflow_transformer;
ALTER DEFAULT PRIVILEGES IN SCHEMA warehouse
  GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO shopflow_transformer;

-- The API reads marts and ops; its one write is the replay audit row.
GRANT USAGE ON SCHEMA marts TO shopflow_api;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO shopflow_api;
GRANT INSERT ON ops.dlq_replays, ops.replayed_letters TO shopflow_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA marts GRANT SELECT ON TABLES TO shopflow_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA ops GRANT SELECT ON TABLES TO shopflow_api;
