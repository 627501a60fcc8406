"""Transactional outbox for the loader's events (ops.outbox).

An event is written in the same transaction as the state change it announces,
and published to Kafka only after that commit. Publishing claims unsent rows
with FOR UPDATE SKIP LOCKED (two loaders never publish the same row at once),
waits for the broker's acknowledgement, then marks them sent in the same
transaction. A process killed after the broker acked but before that commit
publishes the row again on restart: consumers de-duplicate on
(batch_id, sequence), which every BatchCompleted carries.
"""

from __future__ import annotations

import logging

import psycopg

from shopflow.runtime.kafka import EventProducer

log = logging.getLogger(__name__)

CLAIM_SQL = """
SELECT event_id, topic, event_key, payload FROM ops.outbox
WHERE sent_at IS NULL ORDER BY event_id LIMIT %s
FOR UPDATE SKIP LOCKED
"""


def enqueue(conn: psycopg.Connection, topic: str, key: str, payload: bytes) -> None:
    conn.execute("INSERT INTO ops.outbox (topic, event_key, payload) VALUES (%s, %s, %s)",
                 (topic, key, payload))


def publish_pending(conn: psycopg.Connection, producer: EventProducer,
                    limit: int = 500, timeout: float = 30.0) -> int:
    """Publish unsent events, oldest first; returns how many were published.

    Raises DeliveryError (nothing marked sent) or psycopg errors; callers retry later.
    """
    published = 0
    while True:
        with conn.transaction():
            rows = conn.execute(CLAIM_SQL, (limit,)).fetchall()
            for _event_id, topic, key, payload in rows:
                producer.produce(topic, bytes(payload), key=key)
            if rows:
                producer.flush(timeout)
                conn.execute("UPDATE ops.outbox SET sent_at = now() WHERE event_id = ANY(%s)",
                             ([r[0] for r in rows],))
        published += len(rows)
        if len(rows) < limit:
            break
    if published:
        log.info("outbox events published", extra={"events": published})
    return published


def pending_count(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT count(*) FROM ops.outbox WHERE sent_at IS NULL").fetchone()
    return int(row[0]) if row else 0
