-- One row per failed attempt of a dead letter (attempt 1 = the original failure, then one
-- per replay that failed again), written idempotently by the loader
-- (shopflow.dlq.record_dead_letters) for every letter it records. ops.dead_letters keeps
-- the ORIGINAL bytes (payload, record_key of attempt 1) and the latest attempt's codes,
-- errors, attempt and last_failed_at; the bytes and errors of every attempt are here.
CREATE TABLE ops.dead_letter_attempts (
  batch_id     text NOT NULL,
  source_file  text NOT NULL,
  line_number  integer NOT NULL,
  attempt      integer NOT NULL,
  payload      bytea,
  record_key   bytea,
  codes        text[] NOT NULL,
  errors       jsonb NOT NULL,
  failed_at    timestamptz NOT NULL,
  replay_id    text,
  PRIMARY KEY (batch_id, source_file, line_number, attempt)
);

-- Letters recorded before this table: their one known attempt (the latest).
INSERT INTO ops.dead_letter_attempts (batch_id, source_file, line_number, attempt, payload,
  record_key, codes, errors, failed_at, replay_id)
SELECT batch_id, source_file, line_number, attempt, payload, record_key, codes, errors,
       last_failed_at, replay_id
FROM ops.dead_letters
ON CONFLICT DO NOTHING;

GRANT SELECT, INSERT ON ops.dead_letter_attempts TO shopflow_loader;
GRANT SELECT ON ops.dead_letter_attempts TO shopflow_api, shopflow_transformer;
