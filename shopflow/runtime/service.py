"""One bootstrap for every service process: settings, JSON logs, signals, /health, /metrics."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer

from shopflow.runtime.logging import configure_logging
from shopflow.runtime.metrics import HealthCheck, start_http_server
from shopflow.runtime.probes import KafkaProbe
from shopflow.runtime.settings import Settings, get_settings
from shopflow.runtime.shutdown import Shutdown

log = logging.getLogger(__name__)


@dataclass
class ServiceContext:
    name: str
    settings: Settings
    shutdown: Shutdown
    health_checks: dict[str, Callable[[], bool]] = field(default_factory=dict)
    http: ThreadingHTTPServer | None = None

    def health(self) -> dict[str, bool]:
        results = {"running": not self.shutdown.requested}
        for name, check in self.health_checks.items():
            try:
                results[name] = bool(check())
            except Exception:
                results[name] = False
        return results


def bootstrap(name: str, *, serve_http: bool = True) -> ServiceContext:
    settings = get_settings()
    configure_logging(name, settings.log_level)
    shutdown = Shutdown()
    shutdown.install_signal_handlers()
    context = ServiceContext(name=name, settings=settings, shutdown=shutdown)
    # Every service talks to Kafka: /health names it when it is down.
    context.health_checks["kafka"] = KafkaProbe(settings).reachable
    if serve_http:
        health: HealthCheck = context.health
        context.http = start_http_server(name, settings.metrics_host, settings.metrics_port,
                                         health)
    log.info("service starting", extra={"kafka": settings.kafka_bootstrap})
    return context


def run(name: str, main: Callable[[ServiceContext], None]) -> None:
    """Run ``main`` until it returns or a signal asks for shutdown; log a crash, exit non-zero."""
    context = bootstrap(name)
    try:
        main(context)
    except Exception:
        log.exception("service crashed")
        raise SystemExit(1) from None
    finally:
        if context.http is not None:
            context.http.shutdown()
        log.info("service stopped")
