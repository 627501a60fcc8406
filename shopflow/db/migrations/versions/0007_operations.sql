-- Operations (issue 15): checks on a clock, retention audit, run-history indexes.

-- Checks run on a clock (`shopflow monitor run`), independent of builds: freshness per
-- entity and the statistical checks (outliers, volume). Same columns as ops.quality_checks;
-- a run is one execution of every such check.
CREATE SEQUENCE ops.monitor_run_seq;
CREATE TABLE ops.monitor_checks (
  run_id      bigint NOT NULL,
  check_name  text NOT NULL,
  status      text NOT NULL CHECK (status IN ('pass', 'warn', 'fail')),
  observed    numeric,
  threshold   numeric,
  details     jsonb NOT NULL DEFAULT '{}',
  checked_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (run_id, check_name)
);
CREATE INDEX monitor_checks_name_idx ON ops.monitor_checks (check_name, run_id DESC);

-- Quality history per check and run history read these newest first.
CREATE INDEX quality_checks_name_idx ON ops.quality_checks (check_name, build_id DESC);
CREATE INDEX builds_finished_idx ON ops.builds (status, build_id DESC);

-- One row per `shopflow retention run` (dry runs too): what it removed or would remove.
CREATE TABLE ops.retention_runs (
  run_id      bigserial PRIMARY KEY,
  started_at  timestamptz NOT NULL DEFAULT now(),
  dry_run     boolean NOT NULL,
  removed     jsonb NOT NULL
);

-- The transformer role may run the monitor (it reads warehouse, staging and ops).
GRANT SELECT, INSERT ON ops.monitor_checks TO shopflow_transformer;
GRANT USAGE ON SEQUENCE ops.monitor_run_seq TO shopflow_transformer;
GRANT SELECT ON ops.monitor_checks, ops.retention_runs TO shopflow_api, shopflow_transformer;
