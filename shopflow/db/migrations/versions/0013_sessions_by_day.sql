-- fact_sessions is keyed and looked up by session_date first (decision 0086): a daily
-- build writes ~0.12 M sessions, and indexes keyed by a hash or by visitor alone spread
-- those inserts over every page of indexes as large as the whole history.
-- The primary key (session_date, session_id) still refuses a second copy of a session:
-- session_id hashes (visitor_id, session_start) and session_date is the UTC date of
-- session_start, so a session has one session_date. It also serves the date lookups that
-- fact_sessions_date_idx served.
ALTER TABLE warehouse.fact_sessions DROP CONSTRAINT fact_sessions_pkey;
ALTER TABLE warehouse.fact_sessions ADD PRIMARY KEY (session_date, session_id);
DROP INDEX warehouse.fact_sessions_date_idx;
DROP INDEX warehouse.fact_sessions_visitor_idx;
CREATE INDEX fact_sessions_visitor_idx ON warehouse.fact_sessions
  (session_date, visitor_id, session_start) INCLUDE (session_end);
-- The sessions longer than a day: the lookups per date of a late event's window reach
-- back one day, these reach further (warehouse/models/intermediate/visitor_windows.sql).
CREATE INDEX fact_sessions_long_idx ON warehouse.fact_sessions (visitor_id, session_start)
  INCLUDE (session_end) WHERE duration_seconds >= 86400;
