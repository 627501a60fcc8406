"""The ingestor as a real process: `shopflow ingest` drops a batch, the service publishes it."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shopflow.events import BatchPublished
from shopflow.runtime.settings import Settings
from shopflow.topics import raw_topic
from tests.conftest import settings_env
from tests.integration.ingestor.fixtures import ORDERS_CSV, write_batch
from tests.integration.ingestor.support import (
    control_events,
    prepare_topics,
    read_topics,
    topic_size,
    wait_until,
)

pytestmark = pytest.mark.integration


def test_service_ingests_submitted_batches_and_stops_on_sigterm(
        platform_settings: Settings, tmp_path: Path) -> None:
    settings = platform_settings.model_copy(update={"poll_interval_s": 0.2})
    prepare_topics(settings)
    env = settings_env(settings)
    write_batch(tmp_path / "out", "batch-2026-01-05", {"orders.csv": ORDERS_CSV})
    submitted = subprocess.run(["shopflow", "ingest", str(tmp_path / "out")], env=env,
                               capture_output=True, text=True, check=True)
    assert submitted.stdout.split() == ["batch-2026-01-05"]

    service = subprocess.Popen([sys.executable, "-m", "services.ingestor"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: (settings.landing_dir / ".processed" / "batch-2026-01-05").exists(),
                   30, "the batch to be archived")
        service.send_signal(signal.SIGTERM)
        assert service.wait(15) == 0
    finally:
        if service.poll() is None:
            service.kill()
    orders = read_topics(settings, [raw_topic(settings, "orders")])
    assert sorted(r.identity() for r in orders) == [
        ("batch-2026-01-05", "orders.csv", line) for line in (2, 3, 4)]
    assert topic_size(settings, [raw_topic(settings, "orders")]) == 1  # one chunk
    published = [e for e in control_events(settings) if isinstance(e, BatchPublished)]
    assert [(e.batch_id, e.records, e.business_date) for e in published] == [
        ("batch-2026-01-05", 3, "2026-01-01")]
