-- fact_events (clickstream): grain = one event (event_id), its latest delivery
-- (see int_event_versions), with the session it belongs to (int_sessionized_events).
DELETE FROM warehouse.fact_events f USING _scope_events s WHERE f.event_id = s.event_id;

INSERT INTO warehouse.fact_events (event_id, event_ts, event_date, visitor_id, customer_id,
  anonymous_id, session_id, event_type, product_id, order_id, page_url, referrer, utm_source,
  utm_medium, utm_campaign, device, source_batch_id)
SELECT e.event_id, e.event_ts, (e.event_ts AT TIME ZONE 'UTC')::date, e.visitor_id,
       e.customer_id, e.anonymous_id, s.session_id, e.event_type, e.product_id, e.order_id,
       e.page_url, e.referrer, e.utm_source, e.utm_medium, e.utm_campaign, e.device, e.batch_id
FROM _event_latest e
JOIN _session_events s USING (event_id);

-- Stored events whose session was merged or split get their new session.
UPDATE warehouse.fact_events f
SET session_id = s.session_id
FROM _session_events s
WHERE f.event_id = s.event_id AND s.stored_session_id IS DISTINCT FROM s.session_id
  AND s.stored_session_id IS NOT NULL;
