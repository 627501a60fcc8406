-- Loader bookkeeping (docs/loading.md, decisions 0020-0022).

-- Business dates touched by loaded records since the batch's last BatchCompleted;
-- the next BatchCompleted lists the pending ones and clears the flag.
CREATE TABLE ops.batch_dates (
  batch_id  text NOT NULL,
  day       date NOT NULL,
  pending   boolean NOT NULL DEFAULT true,
  PRIMARY KEY (batch_id, day)
);

-- Transactional outbox: events written in the transaction that decided them,
-- published to Kafka after the commit, then marked sent.
CREATE TABLE ops.outbox (
  event_id    bigserial PRIMARY KEY,
  topic       text NOT NULL,
  event_key   text NOT NULL,
  payload     bytea NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  sent_at     timestamptz
);
CREATE INDEX outbox_unsent_idx ON ops.outbox (event_id) WHERE sent_at IS NULL;

GRANT SELECT, INSERT, UPDATE ON ops.batch_dates, ops.outbox TO shopflow_loader;
GRANT USAGE ON SEQUENCE ops.outbox_event_id_seq TO shopflow_loader;
GRANT SELECT ON ops.batch_dates, ops.outbox TO shopflow_transformer, shopflow_api;
