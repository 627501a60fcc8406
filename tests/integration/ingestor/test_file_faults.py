"""File-level faults are quarantined with a reason while the rest of the batch flows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shopflow.events import BatchOpened, BatchPublished, FilePublished, FileQuarantined
from shopflow.ingest.runner import scan_once
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic
from tests.integration.ingestor.fixtures import (
    CLICKSTREAM_JSONL,
    CUSTOMERS_CSV,
    ORDERS_CSV,
    write_batch,
)
from tests.integration.ingestor.support import control_events, prepare_topics, read_topics

pytestmark = pytest.mark.integration

EXPECTED_CODES = {
    "customers.csv": "schema_drift",
    "payments.csv": "unknown_entity",
    "products.csv": "not_utf8",
    "reviews.jsonl": "too_large",
    "inventory.csv": "unsafe_name",  # a symlink to a file outside the landing area
}


def test_bad_files_are_quarantined_and_the_good_ones_published(
        platform_settings: Settings, tmp_path: Path) -> None:
    settings = platform_settings.model_copy(update={"max_file_bytes": 4096})
    prepare_topics(settings)
    outside = tmp_path / "outside-secret.csv"
    outside.write_text("snapshot_date,product_id,warehouse_id,on_hand\n2026-01-01,p1,w1,3\n")
    batch = write_batch(settings.landing_dir, "batch-faults", {
        "orders.csv": ORDERS_CSV,
        "clickstream.jsonl": CLICKSTREAM_JSONL,
        "customers.csv": CUSTOMERS_CSV.replace("customer_id,", "customer_ident,"),
        "payments.csv": "payment_id\np1\n",
        "products.csv": "product_id,updated_at\np1,2026-01-01T00:00:00Z\n".encode("utf-16"),
        "reviews.jsonl": '{"review_id": "r1"}\n' * 400,
        "..evil.csv": ORDERS_CSV,
        "orders (copy).csv": ORDERS_CSV,
    })
    os.symlink(outside, batch / "inventory.csv")

    [report] = scan_once(settings, EventProducer(settings))

    assert report.published == {"orders.csv": 3, "clickstream.jsonl": 2}
    events = control_events(settings)
    assert isinstance(events[0], BatchOpened) and len(events[0].files) == 9
    assert isinstance(events[-1], BatchPublished) and events[-1].records == 5
    quarantined = {e.file: e for e in events if isinstance(e, FileQuarantined)}
    assert len(quarantined) == 7
    for name, code in EXPECTED_CODES.items():
        assert quarantined[name].code == code
        _assert_reason_file(settings.quarantine_dir / "batch-faults" / name, code)
    unsafe = [e for name, e in quarantined.items() if name.startswith("unsafe-")]
    assert [e.code for e in unsafe] == ["unsafe_name", "unsafe_name"]
    for event in unsafe:
        _assert_reason_file(settings.quarantine_dir / "batch-faults" / event.file, "unsafe_name")
    assert (settings.quarantine_dir / "batch-faults" / "inventory.csv").is_symlink()
    assert outside.read_text().startswith("snapshot_date")  # the target was never touched
    assert [e.file for e in events if isinstance(e, FilePublished)] == [
        "clickstream.jsonl", "orders.csv"]
    orders = read_topics(settings, [raw_topic(settings, "orders")])
    assert sorted(r.key or b"" for r in orders) == [b"o1", b"o2", b"o3"]
    assert read_topics(settings, [raw_topic(settings, "inventory")]) == []


def _assert_reason_file(path: Path, code: str) -> None:
    assert path.exists() or path.is_symlink(), path
    reason = json.loads(path.with_name(path.name + ".reason.json").read_text())
    assert reason["code"] == code and reason["reason"] and reason["time"]


def test_unsafe_batch_directories_are_rejected_without_being_followed(
        platform_settings: Settings, tmp_path: Path) -> None:
    settings = platform_settings
    prepare_topics(settings)
    elsewhere = write_batch(tmp_path / "elsewhere", "batch-x", {"orders.csv": ORDERS_CSV})
    settings.landing_dir.mkdir(parents=True)
    os.symlink(elsewhere, settings.landing_dir / "batch-linked")
    write_batch(settings.landing_dir, "bad batch name", {"orders.csv": ORDERS_CSV})

    assert scan_once(settings, EventProducer(settings)) == []

    rejected = sorted(p.name for p in (settings.quarantine_dir / "_rejected").iterdir())
    assert len(rejected) == 4 and sum(n.endswith(".reason.json") for n in rejected) == 2
    assert (elsewhere / "orders.csv").exists()
    assert read_topics(settings, [raw_topic(settings, "orders")]) == []
