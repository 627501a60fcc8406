-- Sessionization: a visitor's events with gaps under 30 minutes form a session (a
-- gap of 30 minutes or more starts a new one); session_id = a hash of
-- (visitor_id, session_start).
--
-- Incremental correctness across batch boundaries: each visitor window (where the
-- events in scope were and are) is widened to every existing session within 30
-- minutes of it. Existing sessions are maximal chains, so no event outside the
-- widened window can join a session inside it: recomputing the window is exact.
UPDATE _visitor_windows w
SET lo = least(w.lo, s.lo), hi = greatest(w.hi, s.hi)
FROM (
  SELECT w2.visitor_id, min(f.session_start) AS lo, max(f.session_end) AS hi
  FROM _visitor_windows w2
  JOIN warehouse.fact_sessions f
    ON f.visitor_id = w2.visitor_id
   AND f.session_end >= w2.lo - interval '30 minutes'
   AND f.session_start <= w2.hi + interval '30 minutes'
  GROUP BY w2.visitor_id
) s
WHERE s.visitor_id = w.visitor_id;

-- The window's events as they are after this build: stored events outside the
-- scope plus the latest versions of the events in scope.
CREATE TEMP TABLE _session_events ON COMMIT DROP AS
WITH window_events AS (
  SELECT e.event_id, e.event_ts, e.visitor_id, e.anonymous_id, e.event_type, e.utm_source,
         e.utm_medium, e.utm_campaign, e.device, e.session_id AS stored_session_id
  FROM _visitor_windows w
  JOIN warehouse.fact_events e
    ON e.visitor_id = w.visitor_id AND e.event_ts BETWEEN w.lo AND w.hi
  WHERE NOT EXISTS (SELECT 1 FROM _scope_events s WHERE s.event_id = e.event_id)
  UNION ALL
  SELECT event_id, event_ts, visitor_id, anonymous_id, event_type, utm_source, utm_medium,
         utm_campaign, device, NULL
  FROM _event_latest
), ordered AS (
  SELECT *, lag(event_ts) OVER (PARTITION BY visitor_id ORDER BY event_ts, event_id)
              AS prior_ts
  FROM window_events
), numbered AS (
  SELECT *, sum(CASE WHEN prior_ts IS NULL OR event_ts - prior_ts >= interval '30 minutes'
                     THEN 1 ELSE 0 END)
              OVER (PARTITION BY visitor_id ORDER BY event_ts, event_id
                    ROWS UNBOUNDED PRECEDING) AS session_number
  FROM ordered
), started AS (
  SELECT *, min(event_ts) OVER (PARTITION BY visitor_id, session_number) AS session_start
  FROM numbered
)
SELECT *, warehouse.surrogate_key('session', visitor_id,
                                  extract(epoch FROM session_start)::text) AS session_id
FROM started;
CREATE UNIQUE INDEX ON _session_events (event_id);
ANALYZE _session_events;
