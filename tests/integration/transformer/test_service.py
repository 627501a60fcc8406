"""The transformer service on the real broker: BatchCompleted in, WarehouseBuilt out."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from confluent_kafka import Consumer, Producer

from shopflow.events import BatchCompleted, WarehouseBuilt, decode_event, encode_event
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, create_topics
from tests.conftest import TestDatabase as Database
from tests.conftest import settings_env
from tests.integration.transformer.scenario import Warehouse, customer, line, order, product

pytestmark = pytest.mark.integration


def wait_for_built(consumer: Consumer, batch_id: str, seconds: float) -> WarehouseBuilt:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        event = decode_event(msg.value() or b"")
        if isinstance(event, WarehouseBuilt) and event.batch_id == batch_id:
            return event
    raise AssertionError(f"no WarehouseBuilt for {batch_id} within {seconds}s")


def test_batch_completed_leads_to_a_build_and_warehouse_built(
        platform_settings: Settings, database: Database, tmp_path: Path) -> None:
    wh = Warehouse(database)
    wh.stage("b1", "2026-01-01", customers=[customer("C1", "gold", "2026-01-01T00:00:00Z")],
             products=[product("P1", "Toys", "2026-01-01T00:00:00Z")],
             orders=[order("O1", "C1", "2026-01-01T09:00:00Z")],
             order_items=[line("O1", 1, "P1", 3)])
    topic = control_topic(platform_settings)
    create_topics(platform_settings, [topic])
    producer = Producer({"bootstrap.servers": platform_settings.kafka_bootstrap})
    completed = BatchCompleted(batch_id="b1", business_date="2026-01-01", loaded=4, rejected=0)
    for _ in range(2):  # a redelivered event builds once
        producer.produce(topic, encode_event(completed), key="b1")
    producer.flush(10)
    watcher = Consumer({"bootstrap.servers": platform_settings.kafka_bootstrap,
                        "group.id": f"{platform_settings.consumer_group_prefix}.watcher",
                        "auto.offset.reset": "earliest"})
    watcher.subscribe([topic])
    log = (tmp_path / "transformer.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "services.transformer"],
                            env=settings_env(platform_settings), stdout=log, stderr=log)
    try:
        built = wait_for_built(watcher, "b1", 60)
        again = wait_for_built(watcher, "b1", 30)
        assert built.status == "succeeded"
        assert again.build_id == built.build_id  # the redelivered event reused the build
        assert built.stats["scope"]["orders"] == 1
        assert wh.value("SELECT revenue FROM marts.daily_sales") == 30
        assert wh.rows("SELECT status, batch_sequence FROM ops.builds") == [("succeeded", 1)]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        watcher.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
