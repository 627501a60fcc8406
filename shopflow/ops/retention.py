"""`shopflow retention run [--dry-run]`: purge what no build needs any more.

- superseded staging versions (orders, order lines, clickstream; rules in retention_sql),
- payloads of dead letters resolved long ago (the ledger rows stay),
- batch directories archived under ``<landing>/.processed``,
- and it (re)applies each topic kind's ``retention.ms`` (Kafka then deletes old segments).

A dry run executes the same statements and rolls them back, so its counts are exact.
Every run is recorded in ops.retention_runs.
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from confluent_kafka.admin import AdminClient
from psycopg.types.json import Jsonb

from shopflow.db.connect import connect
from shopflow.ingest.landing import PROCESSED_DIR
from shopflow.ops.retention_sql import DEAD_LETTER_PAYLOADS, STAGING_PRUNE
from shopflow.runtime.kafka import client_config
from shopflow.runtime.settings import Settings
from shopflow.topics import all_topics, apply_topic_configs, topic_config

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    dry_run: bool
    staging_rows: dict[str, int] = field(default_factory=dict)
    dead_letter_payloads: int = 0
    processed_batches: list[str] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)  # topic -> retention.ms

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_retention(settings: Settings, *, dry_run: bool, topics: bool = True) -> RetentionReport:
    report = RetentionReport(dry_run=dry_run)
    _purge_database(settings, report)
    report.processed_batches = _purge_processed(settings, dry_run)
    if topics:
        report.topics = _apply_topic_retention(settings, dry_run)
    log.info("retention run", extra=report.as_dict())
    return report


def _purge_database(settings: Settings, report: RetentionReport) -> None:
    with connect(settings.database_url) as conn:
        with conn.transaction(force_rollback=report.dry_run):
            for entity, statement in STAGING_PRUNE.items():
                report.staging_rows[entity] = _count(
                    conn, statement, settings.retention_staging_days)
            report.dead_letter_payloads = _count(
                conn, DEAD_LETTER_PAYLOADS, settings.retention_dead_letter_days)
        conn.execute("INSERT INTO ops.retention_runs (dry_run, removed) VALUES (%s, %s)",
                     (report.dry_run, Jsonb({k: v for k, v in report.as_dict().items()
                                             if k not in ("dry_run", "topics")})))
        conn.commit()


def _count(conn: psycopg.Connection, statement: str, days: int) -> int:
    row = conn.execute(statement, {"days": days}).fetchone()
    return int(row[0]) if row else 0


def _purge_processed(settings: Settings, dry_run: bool) -> list[str]:
    """Archived batch directories older than the retention (by when they were moved)."""
    processed = settings.landing_dir / PROCESSED_DIR
    if not processed.is_dir():
        return []
    cutoff = time.time() - settings.retention_processed_days * 86400
    removed = []
    for entry in sorted(processed.iterdir()):
        if entry.is_symlink() or not entry.is_dir() or _archived_at(entry) >= cutoff:
            continue
        removed.append(entry.name)
        if not dry_run:
            shutil.rmtree(entry)
    return removed


def _archived_at(path: Path) -> float:
    # A batch directory is archived right after it was handled, so its modification time
    # (its files were written) is close to when it was moved; touch it to keep it longer.
    return path.stat().st_mtime


def _apply_topic_retention(settings: Settings, dry_run: bool) -> dict[str, str]:
    admin = AdminClient(client_config(settings))
    existing = set(admin.list_topics(timeout=30).topics)
    names = [n for n in all_topics(settings) if n in existing]
    if not dry_run:
        apply_topic_configs(admin, settings, names)
    return {n: topic_config(settings, n)["retention.ms"] for n in names}
