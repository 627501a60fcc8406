"""Reachability of the database and of Kafka, for /health: which one is down, never why
(the reason, which may name hosts and roles, goes to the log)."""

from __future__ import annotations

import logging

from psycopg_pool import ConnectionPool

from services.dashboard_api.schemas.pipeline import DependencyHealth
from shopflow.runtime import probes

log = logging.getLogger(__name__)
UNREACHABLE = "unreachable"



def database_health(pool: ConnectionPool) -> DependencyHealth:
    try:
        with pool.connection(timeout=probes.TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
        return DependencyHealth(ok=True)
    except Exception as exc:  # any failure means "not reachable"; the reason is logged
        log.warning("health: database unreachable",
                    extra={"error": f"{type(exc).__name__}: {exc}"[:300]})
        return DependencyHealth(ok=False, detail=UNREACHABLE)


class KafkaProbe(probes.KafkaProbe):
    def check(self) -> DependencyHealth:
        brokers = self.brokers()
        if brokers is None:
            return DependencyHealth(ok=False, detail=UNREACHABLE)
        return DependencyHealth(ok=True, detail=f"{brokers} broker(s)")
