-- Access (issue 14): API keys stored hashed, the API's least privilege, the BI reader.

-- ------------------------------------------------------------------ API keys
-- A key is shown once at creation: `sfk_<key_id>_<secret>`. Only the SHA-256 of the
-- secret is kept (the secret is 256 random bits, so a fast hash is enough: decision 0061).
CREATE SCHEMA IF NOT EXISTS access;
REVOKE ALL ON SCHEMA access FROM PUBLIC;

CREATE TABLE access.api_keys (
  key_id         text PRIMARY KEY CHECK (key_id ~ '^[0-9a-f]{12}$'),
  name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  scopes         text[] NOT NULL CHECK (
                   cardinality(scopes) > 0 AND scopes <@ ARRAY['metrics:read', 'customers:read',
                   'deadletters:read', 'deadletters:replay']::text[]),
  secret_sha256  bytea NOT NULL CHECK (length(secret_sha256) = 32),
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     text NOT NULL DEFAULT current_user,
  revoked_at     timestamptz
);

-- The API checks a key through this function only: it never reads the table, so a
-- compromised API cannot list keys or their hashes. No cache: a revoke counts at once.
CREATE FUNCTION access.key_scopes(p_key_id text, p_secret_sha256 bytea) RETURNS text[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT scopes FROM access.api_keys
  WHERE key_id = p_key_id AND secret_sha256 = p_secret_sha256 AND revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION access.key_scopes(text, bytea) FROM PUBLIC;
GRANT USAGE ON SCHEMA access TO shopflow_api;
GRANT EXECUTE ON FUNCTION access.key_scopes(text, bytea) TO shopflow_api;

-- ------------------------------------------------- the API: only what it reads
-- 0001 let the API read every ops table, present and future; now it gets a list.
REVOKE ALL ON ALL TABLES IN SCHEMA ops FROM shopflow_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA ops REVOKE SELECT ON TABLES FROM shopflow_api;
GRANT SELECT ON ops.batches, ops.batch_files, ops.builds, ops.quality_checks,
  ops.dead_letters, ops.dead_letter_attempts, ops.dlq_replays, ops.replayed_letters
  TO shopflow_api;
GRANT SELECT (batch_id, file_name, sha256) ON ops.ingested_files TO shopflow_api;
GRANT INSERT ON ops.dlq_replays, ops.replayed_letters TO shopflow_api;

-- ------------------------------------------------------------ BI: reporting
-- shopflow_reader (LOGIN) reads the reporting schema and nothing else; personal
-- columns live in reporting_personal, readable by members of shopflow_reader_personal.
-- The views are dbt models (warehouse/models/reporting): the transformer creates them
-- and dbt's `grants` config grants SELECT on them.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shopflow_reader') THEN
    CREATE ROLE shopflow_reader LOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'shopflow_reader_personal') THEN
    CREATE ROLE shopflow_reader_personal NOLOGIN;
  END IF;
END $$;
CREATE SCHEMA IF NOT EXISTS reporting;
CREATE SCHEMA IF NOT EXISTS reporting_personal;
REVOKE ALL ON SCHEMA reporting, reporting_personal FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA reporting, reporting_personal TO shopflow_transformer;
GRANT USAGE ON SCHEMA reporting TO shopflow_reader, shopflow_reader_personal;
GRANT USAGE ON SCHEMA reporting_personal TO shopflow_reader_personal;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting
  GRANT SELECT ON TABLES TO shopflow_reader, shopflow_reader_personal;
ALTER DEFAULT PRIVILEGES IN SCHEMA reporting_personal
  GRANT SELECT ON TABLES TO shopflow_reader_personal;
ALTER DEFAULT PRIVILEGES FOR ROLE shopflow_transformer IN SCHEMA reporting
  GRANT SELECT ON TABLES TO shopflow_reader, shopflow_reader_personal;
ALTER DEFAULT PRIVILEGES FOR ROLE shopflow_transformer IN SCHEMA reporting_personal
  GRANT SELECT ON TABLES TO shopflow_reader_personal;
