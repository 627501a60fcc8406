"""Wiring of the ingestor service: poll the landing area, ingest ready batches."""

from __future__ import annotations

import logging
import os

from shopflow.ingest.publish import Interrupted
from shopflow.ingest.runner import ensure_dirs, scan_once
from shopflow.runtime.errors import DeliveryError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.probes import database_reachable
from shopflow.runtime.service import ServiceContext

log = logging.getLogger(__name__)


def main(context: ServiceContext) -> None:
    settings, shutdown = context.settings, context.shutdown
    ensure_dirs(settings)
    producer = EventProducer(settings)
    context.health_checks["landing_dir"] = lambda: os.access(settings.landing_dir, os.W_OK)
    context.health_checks["database"] = lambda: database_reachable(
        settings.database_url_for("ingestor"))
    while not shutdown.requested:
        try:
            scan_once(settings, producer, lambda: shutdown.requested)
        except Interrupted as exc:
            log.info("batch left for the next start", extra={"reason": str(exc)})
        except Exception:
            log.exception("landing scan failed; retrying")  # e.g. PostgreSQL unreachable
        shutdown.wait(settings.poll_interval_s)
    try:
        producer.flush(timeout=10)
    except DeliveryError as exc:
        log.warning("unflushed events at shutdown", extra={"error": str(exc)})
