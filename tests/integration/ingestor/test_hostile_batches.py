"""Batches other teams' exports really produce: re-sends with corrections, wrong manifests.

Nothing may be changed or lost silently: an identical re-send is announced again, a
corrected one is refused with a reason, a manifest naming a date that does not exist
refuses the batch visibly (decision 0054).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopflow.events import BatchOpened, FilePublished, FileQuarantined
from shopflow.ingest.runner import scan_once
from shopflow.ingest.submit import submit
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.fixtures import ORDERS_CSV, write_batch
from tests.integration.ingestor.support import control_events, prepare_topics, read_topics

pytestmark = pytest.mark.integration

CORRECTED = ORDERS_CSV.replace("T11:00:00Z,placed", "T11:00:00Z,paid")


def reasons(quarantine: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(quarantine.rglob("*.reason.json"))]


def test_identical_resend_is_announced_and_corrected_resend_is_refused_visibly(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    settings = platform_settings
    prepare_topics(settings)
    producer = EventProducer(settings)
    for content in (ORDERS_CSV, ORDERS_CSV, CORRECTED):
        source = tmp_path / f"source-{len(list(tmp_path.iterdir()))}"
        write_batch(source, "batch-1", {"orders.csv": content})
        submit(source / "batch-1", settings.landing_dir)
        scan_once(settings, producer)

    raw = read_topics(settings, [raw_topic(settings, "orders")])
    assert len(raw) == 3, "only the first content was published"
    assert all(b"placed" not in (r.value or b"") or r.headers["shopflow.line_number"] == "3"
               for r in raw)
    events = [e for e in control_events(settings) if e.batch_id == "batch-1"]
    announced = [e.records for e in events if isinstance(e, FilePublished)]
    assert announced == [3, 3], "the identical re-send is announced with its recorded count"
    [refused] = [e for e in events if isinstance(e, FileQuarantined)]
    assert refused.code == "conflicting_resend" and "new batch id" in refused.reason
    [reason] = reasons(settings.quarantine_dir)
    assert reason["code"] == "conflicting_resend"


@pytest.mark.parametrize("manifest", [b'{"business_date": "2026-02-30"}',
                                      b'{"business_date": "31/01/2026"}',
                                      b'{"business_date": 20260131}'])
def test_a_wrong_manifest_refuses_every_file_of_the_batch_with_its_reason(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path,
        manifest: bytes) -> None:
    settings = platform_settings
    prepare_topics(settings)
    batch = write_batch(tmp_path / "source", "batch-x", {"orders.csv": ORDERS_CSV,
                                                         "customers.csv": "customer_id\n"})
    (batch / "_SUCCESS").write_bytes(manifest)
    submit(batch, settings.landing_dir)
    [report] = scan_once(settings, EventProducer(settings))

    assert report.published == {} and set(report.quarantined.values()) == {"invalid_manifest"}
    assert read_topics(settings, [raw_topic(settings, "orders")]) == []
    events = control_events(settings)
    assert [e.business_date for e in events if isinstance(e, BatchOpened)] == [None]
    refused = sorted(e.file for e in events if isinstance(e, FileQuarantined))
    assert refused == ["customers.csv", "orders.csv"]
    assert all("manifest" in r["reason"] for r in reasons(settings.quarantine_dir))
    assert len(reasons(settings.quarantine_dir)) == 2


def test_a_fifo_as_ready_marker_does_not_block_the_ingestor(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    import os
    settings = platform_settings
    prepare_topics(settings)
    batch = write_batch(tmp_path / "source", "batch-f", {"orders.csv": ORDERS_CSV})
    submit(batch, settings.landing_dir)
    marker = settings.landing_dir / "batch-f" / "_SUCCESS"
    marker.unlink()
    os.mkfifo(marker)
    # a FIFO is not a ready marker at all (not a regular file): the batch is left alone
    assert scan_once(settings, EventProducer(settings)) == []


def test_a_hard_link_into_the_landing_area_is_refused(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    import os
    settings = platform_settings
    prepare_topics(settings)
    secret = tmp_path / "outside.csv"
    secret.write_text(ORDERS_CSV)
    batch = write_batch(tmp_path / "source", "batch-h", {})
    submit(batch, settings.landing_dir)
    os.link(secret, settings.landing_dir / "batch-h" / "orders.csv")
    [report] = scan_once(settings, EventProducer(settings))
    assert report.quarantined == {"orders.csv": "unsafe_name"}
    assert "hard link" in reasons(settings.quarantine_dir)[0]["reason"]
    assert read_topics(settings, [raw_topic(settings, "orders")]) == []


def test_what_is_published_is_exactly_what_was_hashed(tmp_path: Path) -> None:
    import hashlib

    from shopflow.ingest.checks import CheckedFile, check_file, discard_snapshot
    batch = write_batch(tmp_path / "landing", "batch-s", {"orders.csv": ORDERS_CSV})
    original = batch / "orders.csv"
    checked = check_file(original, tmp_path / "landing", 10**6, 10**4, tmp_path / "snap")
    assert isinstance(checked, CheckedFile) and checked.path != original
    original.write_text(CORRECTED)  # the exporting tool rewrites the file meanwhile
    assert checked.path.read_text() == ORDERS_CSV
    assert checked.sha256 == hashlib.sha256(ORDERS_CSV.encode()).hexdigest()
    discard_snapshot(checked.path, original)
    assert not checked.path.exists() and original.exists()


def test_content_whose_first_publish_failed_is_not_skipped_as_published(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    import hashlib

    import psycopg
    settings = platform_settings
    prepare_topics(settings)
    sha = hashlib.sha256(ORDERS_CSV.encode()).hexdigest()
    with psycopg.connect(database.url) as conn:  # batch-a's publish failed half-way
        conn.execute("INSERT INTO ops.ingested_files (sha256, batch_id, file_name, entity,"
                     " status) VALUES (%s, 'batch-a', 'orders.csv', 'orders', 'publishing')",
                     (sha,))
    write_batch(tmp_path / "source", "batch-b", {"orders.csv": ORDERS_CSV})
    submit(tmp_path / "source" / "batch-b", settings.landing_dir)
    producer = EventProducer(settings)
    assert scan_once(settings, producer) == []  # waits: nothing announced as skipped
    assert (settings.landing_dir / "batch-b").exists()
    write_batch(tmp_path / "source", "batch-a", {"orders.csv": ORDERS_CSV})
    submit(tmp_path / "source" / "batch-a", settings.landing_dir)
    reports = {r.batch_id: r for r in scan_once(settings, producer)}
    assert reports["batch-a"].published == {"orders.csv": 3}
    assert reports["batch-b"].skipped == {"orders.csv": "batch-a"}
    assert len(read_topics(settings, [raw_topic(settings, "orders")])) == 3
