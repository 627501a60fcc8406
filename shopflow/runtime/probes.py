"""Is a dependency reachable? Yes or no for /health; the reason goes to the log only,
so /health never shows connection strings, host names or server messages."""

from __future__ import annotations

import logging
import threading
import time

import psycopg
from confluent_kafka.admin import AdminClient

from shopflow.runtime.kafka import client_config
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0
CACHE_S = 5.0


class KafkaProbe:
    """Asks the brokers for their metadata; remembers the answer for CACHE_S seconds."""

    def __init__(self, settings: Settings) -> None:
        self._config = client_config(settings)
        self._admin: AdminClient | None = None
        self._lock = threading.Lock()
        self._checked_at = -CACHE_S
        self._brokers: int | None = None

    def brokers(self) -> int | None:
        """How many brokers answered; None when Kafka is unreachable."""
        with self._lock:
            if time.monotonic() - self._checked_at > CACHE_S:
                self._brokers = self._probe()
                self._checked_at = time.monotonic()
            return self._brokers

    def reachable(self) -> bool:
        return self.brokers() is not None

    def _probe(self) -> int | None:
        try:
            if self._admin is None:
                # librdkafka's own log lines go through logging (JSON), not raw stderr.
                self._admin = AdminClient(self._config, logger=log)
            return len(self._admin.list_topics(timeout=TIMEOUT_S).brokers)
        except Exception as exc:  # KafkaException or a timeout: unreachable
            log.warning("health: Kafka unreachable", extra={"error": str(exc)[:300]})
            return None


def database_reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=int(TIMEOUT_S) + 1) as conn:
            conn.execute("SELECT 1")
        return True
    except psycopg.Error as exc:
        log.warning("health: database unreachable", extra={"error": str(exc)[:300]})
        return False
