"""One pass over the landing area: ingest every ready batch, then archive it."""

from __future__ import annotations

import logging
from collections.abc import Callable

from shopflow.db.connect import connect
from shopflow.ingest.batch import BatchIngestor, BatchReport
from shopflow.ingest.landing import archive, ready_batches
from shopflow.ingest.publish import Interrupted
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)


def ensure_dirs(settings: Settings) -> None:
    settings.landing_dir.mkdir(parents=True, exist_ok=True)
    settings.quarantine_dir.mkdir(parents=True, exist_ok=True)


def scan_once(settings: Settings, producer: EventProducer,
              should_stop: Callable[[], bool] = lambda: False) -> list[BatchReport]:
    """Ingest the batches that are ready now; an error leaves its batch for the next pass."""
    ensure_dirs(settings)
    batches = ready_batches(settings.landing_dir, settings.quarantine_dir)
    if not batches:
        return []
    reports = []
    with connect(settings.database_url_for("ingestor"), autocommit=True) as conn:
        ingestor = BatchIngestor(settings, producer, conn, should_stop)
        for batch_dir in batches:
            if should_stop():
                break
            try:
                reports.append(ingestor.ingest(batch_dir))
            except Interrupted:
                raise
            except Exception:
                # Kafka or PostgreSQL away, a file vanished...: retried on the next pass.
                log.exception("batch failed; it stays in the landing area",
                              extra={"batch_id": batch_dir.name})
                continue
            moved_to = archive(settings.landing_dir, batch_dir)
            log.info("batch archived", extra={"batch_id": batch_dir.name,
                                               "moved_to": str(moved_to)})
    return reports
