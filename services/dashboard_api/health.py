"""Reachability of the database and of Kafka, for /health (cached for a few seconds)."""

from __future__ import annotations

import logging
import threading
import time

from confluent_kafka.admin import AdminClient
from psycopg_pool import ConnectionPool

from services.dashboard_api.schemas.pipeline import DependencyHealth
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0
CACHE_S = 5.0


def database_health(pool: ConnectionPool) -> DependencyHealth:
    try:
        with pool.connection(timeout=TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
        return DependencyHealth(ok=True)
    except Exception as exc:  # any failure means "not reachable"; the reason is reported
        return DependencyHealth(ok=False, detail=f"{type(exc).__name__}: {exc}"[:300])


class KafkaProbe:
    """Asks the broker for its metadata; remembers the answer for CACHE_S seconds."""

    def __init__(self, settings: Settings) -> None:
        self._bootstrap = settings.kafka_bootstrap
        self._admin: AdminClient | None = None
        self._lock = threading.Lock()
        self._checked_at = 0.0
        self._last = DependencyHealth(ok=False, detail="not checked yet")

    def check(self) -> DependencyHealth:
        with self._lock:
            if time.monotonic() - self._checked_at > CACHE_S:
                self._last = self._probe()
                self._checked_at = time.monotonic()
            return self._last

    def _probe(self) -> DependencyHealth:
        try:
            if self._admin is None:
                # librdkafka's own log lines go through logging (JSON), not raw stderr.
                self._admin = AdminClient({"bootstrap.servers": self._bootstrap},
                                          logger=log)
            metadata = self._admin.list_topics(timeout=TIMEOUT_S)
            return DependencyHealth(ok=True, detail=f"{len(metadata.brokers)} broker(s)")
        except Exception as exc:  # KafkaException or a timeout: unreachable
            return DependencyHealth(ok=False, detail=f"{type(exc).__name__}: {exc}"[:300])
