-- fact_events_visitor_idx leads with event_date (decision 0085): a daily build inserts
-- ~0.5 M events of a few days, and an index keyed by visitor alone spread those inserts
-- over every page of an index as large as the whole history. The build looks events up
-- per UTC date of a visitor's window (warehouse/models/intermediate/int_session_events.sql).
DROP INDEX warehouse.fact_events_visitor_idx;
CREATE INDEX fact_events_visitor_idx ON warehouse.fact_events (event_date, visitor_id, event_ts);
