"""The same content is published once; a batch interrupted halfway is finished on restart."""

from __future__ import annotations

import hashlib
from pathlib import Path

import psycopg
import pytest

from shopflow.events import FilePublished, FileSkipped
from shopflow.ingest.runner import scan_once
from shopflow.ingest.submit import submit
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.fixtures import CLICKSTREAM_JSONL, ORDERS_CSV, write_batch
from tests.integration.ingestor.support import control_events, prepare_topics, read_topics

pytestmark = pytest.mark.integration


def test_the_same_file_dropped_twice_is_published_once(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    settings = platform_settings
    prepare_topics(settings)
    source = tmp_path / "source"
    write_batch(source, "batch-a", {"orders.csv": ORDERS_CSV})
    write_batch(source, "batch-b", {"orders.csv": ORDERS_CSV,
                                    "clickstream.jsonl": CLICKSTREAM_JSONL})
    producer = EventProducer(settings)
    submit(source, settings.landing_dir)
    scan_once(settings, producer)
    submit(source / "batch-a", settings.landing_dir)  # the very same batch, again
    [again] = scan_once(settings, producer)

    # Same batch id again: announced with its recorded count (the loader's ledger stays
    # as it was), nothing republished.
    assert again.published == {"orders.csv": 3} and again.skipped == {}
    orders = read_topics(settings, [raw_topic(settings, "orders")])
    assert len(orders) == 3 and {r.headers["shopflow.batch_id"] for r in orders} == {"batch-a"}
    events = control_events(settings)
    skipped = [e for e in events if isinstance(e, FileSkipped)]
    assert [(e.batch_id, e.file, e.first_batch_id) for e in skipped] == [
        ("batch-b", "orders.csv", "batch-a")]
    assert skipped[0].sha256 == hashlib.sha256(ORDERS_CSV.encode()).hexdigest()
    announced = [(e.batch_id, e.records) for e in events
                 if isinstance(e, FilePublished) and e.file == "orders.csv"]
    assert announced == [("batch-a", 3), ("batch-a", 3)]
    with psycopg.connect(database.url) as conn:
        rows = conn.execute("SELECT batch_id, file_name, status, records "
                            "FROM ops.ingested_files ORDER BY batch_id, file_name").fetchall()
    assert rows == [("batch-a", "orders.csv", "published", 3),
                    ("batch-b", "clickstream.jsonl", "published", 2)]


def test_restart_finishes_an_interrupted_batch_without_double_counting(
        platform_settings: Settings, database: TestDatabase) -> None:
    settings = platform_settings
    prepare_topics(settings)
    write_batch(settings.landing_dir, "batch-r", {"orders.csv": ORDERS_CSV,
                                                  "clickstream.jsonl": CLICKSTREAM_JSONL})
    orders_sha = hashlib.sha256(ORDERS_CSV.encode()).hexdigest()
    clicks_sha = hashlib.sha256(CLICKSTREAM_JSONL.encode()).hexdigest()
    # State left by a crash: clickstream fully published, orders halfway.
    with psycopg.connect(database.url) as conn:
        conn.execute(
            "INSERT INTO ops.ingested_files (sha256, batch_id, file_name, entity, status, records)"
            " VALUES (%s, 'batch-r', 'clickstream.jsonl', 'clickstream', 'published', 2),"
            "        (%s, 'batch-r', 'orders.csv', 'orders', 'publishing', NULL)",
            (clicks_sha, orders_sha))

    [report] = scan_once(settings, EventProducer(settings))

    assert report.published == {"clickstream.jsonl": 2, "orders.csv": 3}
    assert len(read_topics(settings, [raw_topic(settings, "orders")])) == 3
    assert read_topics(settings, [raw_topic(settings, "clickstream")]) == []  # not republished
    announced = {e.file: e.records for e in control_events(settings)
                 if isinstance(e, FilePublished)}
    assert announced == {"clickstream.jsonl": 2, "orders.csv": 3}
    with psycopg.connect(database.url) as conn:
        status = conn.execute("SELECT status, records FROM ops.ingested_files "
                              "WHERE sha256 = %s", (orders_sha,)).fetchone()
    assert status == ("published", 3)
    assert not (settings.landing_dir / "batch-r").exists()
