"""Ingesting one ready batch: control events around the per-file publish/skip/quarantine.

Events per batch: BatchOpened, then exactly one of FilePublished / FileSkipped /
FileQuarantined per file, then BatchPublished. After a restart the same batch is
handled again from the start; files already published by it are announced again
with their recorded counts instead of being republished.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from contracts import ErrorCode
from shopflow.events import (
    BatchOpened,
    BatchPublished,
    ControlEvent,
    FilePublished,
    FileQuarantined,
    FileSkipped,
)
from shopflow.ingest import ledger
from shopflow.ingest.checks import CheckedFile, check_file, discard_snapshot
from shopflow.ingest.landing import ManifestProblem, business_date
from shopflow.ingest.names import READY_MARKER, NameProblem, classify, display_name
from shopflow.ingest.publish import emit, publish_records
from shopflow.ingest.quarantine import quarantine_file
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)
# Private copies of the files being published, inside the landing area (same disk) but
# under a dot name, which the landing scan skips.
SNAPSHOT_DIR = ".ingestor-snapshots"


class PublishPending(Exception):
    """The batch cannot be finished now; it stays in the landing area for the next pass."""


@dataclass
class BatchReport:
    batch_id: str
    published: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    quarantined: dict[str, str] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(self.published.values())


def classify_entity(name: str) -> str | None:
    named = classify(name)
    return None if isinstance(named, NameProblem) else named.entity


class BatchIngestor:
    def __init__(self, settings: Settings, producer: EventProducer, conn: psycopg.Connection,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self.settings, self.producer, self.conn = settings, producer, conn
        self.should_stop = should_stop
        self._unmarked: list[tuple[str, int]] = []  # published, not acknowledged yet

    def _emit(self, event: ControlEvent) -> None:
        emit(self.settings, self.producer, event)

    def ingest(self, batch_dir: Path) -> BatchReport:
        self._unmarked.clear()  # of a batch that failed: those stay 'publishing'
        report = BatchReport(batch_dir.name)
        names = sorted(name for name in os.listdir(batch_dir) if name != READY_MARKER)
        try:
            day, refusal = business_date(batch_dir), None
        except ManifestProblem as exc:
            day, refusal = None, str(exc)
        self._emit(BatchOpened(batch_id=report.batch_id, business_date=day,
                               files=[display_name(name) for name in names]))
        for name in names:
            if refusal is None:
                self._handle_file(batch_dir / name, report)
            else:  # every file is refused with the manifest's reason, none is lost
                self._quarantine(batch_dir / name, NameProblem(
                    ErrorCode.INVALID_MANIFEST, f"the batch's manifest is wrong: {refusal}",
                    classify_entity(name)), report)
        self._emit(BatchPublished(batch_id=report.batch_id, business_date=day,
                                  files_published=len(report.published),
                                  records=report.records))
        self.producer.flush()  # every chunk and event of the batch is acknowledged: then
        for sha256, records in self._unmarked:  # the ledger may say "published"
            ledger.mark_published(self.conn, sha256, records)
        self._unmarked.clear()
        log.info("batch published", extra={"batch_id": report.batch_id,
                                            "records": report.records,
                                            "quarantined": report.quarantined,
                                            "skipped": sorted(report.skipped)})
        return report

    def _handle_file(self, path: Path, report: BatchReport) -> None:
        settings = self.settings
        checked = check_file(path, settings.landing_dir, settings.max_file_bytes,
                             settings.max_line_bytes, settings.landing_dir / SNAPSHOT_DIR)
        if isinstance(checked, NameProblem):
            self._quarantine(path, checked, report)
            return
        try:
            self._publish_checked(path, checked, report)
        finally:
            discard_snapshot(checked.path, path)

    def _publish_checked(self, path: Path, checked: CheckedFile, report: BatchReport) -> None:
        name, batch_id = checked.data_file.name, report.batch_id
        conflict = ledger.conflicting(self.conn, batch_id, name, checked.sha256)
        if conflict is not None:
            self._quarantine(path, NameProblem(
                ErrorCode.CONFLICTING_RESEND,
                f"batch {batch_id} published {name} before with other content "
                f"(sha256 {conflict.sha256[:12]}..., {conflict.records} records); a batch is "
                "immutable: send corrections as a new batch id", checked.data_file.entity),
                report)
            return
        known = ledger.lookup(self.conn, checked.sha256)
        if known is not None and known.batch_id != batch_id and known.status != "published":
            # Its first publish failed: that batch publishes it when it is retried. Skipping
            # here would announce content as published that is not (yet).
            raise PublishPending(f"{name}: the same content is still being published by "
                                 f"batch {known.batch_id}; this batch waits for it")
        if known is not None and known.belongs_to(batch_id, name) and known.status == "published":
            self._announce(checked, report, known.records or 0)
        elif known is not None and not known.belongs_to(batch_id, name):
            self._skip(checked, report, known.batch_id)
        elif ledger.claim(self.conn, checked.sha256, batch_id, name, checked.data_file.entity):
            records = publish_records(self.settings, self.producer, batch_id, checked,
                                      self.should_stop)
            self._announce(checked, report, records)
            self._unmarked.append((checked.sha256, records))
        else:  # another ingestor claimed the same content a moment ago
            winner = ledger.lookup(self.conn, checked.sha256)
            self._skip(checked, report, winner.batch_id if winner else batch_id)

    def _announce(self, checked: CheckedFile, report: BatchReport, records: int) -> None:
        data_file = checked.data_file
        self._emit(FilePublished(batch_id=report.batch_id, file=data_file.name,
                                 entity=data_file.entity, sha256=checked.sha256,
                                 records=records))
        report.published[data_file.name] = records

    def _skip(self, checked: CheckedFile, report: BatchReport, first_batch_id: str) -> None:
        data_file = checked.data_file
        self._emit(FileSkipped(batch_id=report.batch_id, file=data_file.name,
                               entity=data_file.entity, sha256=checked.sha256,
                               first_batch_id=first_batch_id))
        report.skipped[data_file.name] = first_batch_id

    def _quarantine(self, path: Path, problem: NameProblem, report: BatchReport) -> None:
        shown = display_name(path.name)
        self._emit(FileQuarantined(batch_id=report.batch_id, file=shown, entity=problem.entity,
                                   code=problem.code.value, reason=problem.reason))
        self.producer.flush()  # the event is out before the file leaves: no silent loss
        quarantine_file(self.settings.quarantine_dir, report.batch_id, path,
                        problem.code.value, problem.reason)
        report.quarantined[shown] = problem.code.value
