"""The transformer service on the real broker: BatchCompleted in, WarehouseBuilt out."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Consumer, Producer

from shopflow.events import BatchCompleted, WarehouseBuilt, decode_event, encode_event
from shopflow.ops.signals import read_signals
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


def test_a_build_that_keeps_failing_is_given_up_and_later_batches_are_built(
        platform_settings: Settings, database: Database, tmp_path: Path) -> None:
    wh = Warehouse(database)
    for batch, order_id, day in (("b1", "O1", "2026-01-01"), ("b2", "O2", "2026-01-02")):
        wh.stage(batch, day, customers=[customer("C1", "gold", f"{day}T00:00:00Z")],
                 products=[product("P1", "Toys", f"{day}T00:00:00Z")],
                 orders=[order(order_id, "C1", f"{day}T09:00:00Z")],
                 order_items=[line(order_id, 1, "P1", 1)])
    with psycopg.connect(database.url) as conn:  # O1 can never be written: b1 always fails
        conn.execute("CREATE FUNCTION refuse_o1() RETURNS trigger LANGUAGE plpgsql AS $$"
                     " BEGIN IF NEW.order_id = 'O1' THEN RAISE EXCEPTION 'O1 refused'; END IF;"
                     " RETURN NEW; END $$")
        conn.execute("CREATE TRIGGER refuse_o1 BEFORE INSERT ON warehouse.fact_orders"
                     " FOR EACH ROW EXECUTE FUNCTION refuse_o1()")
    topic = control_topic(platform_settings)
    create_topics(platform_settings, [topic])
    producer = Producer({"bootstrap.servers": platform_settings.kafka_bootstrap})
    for batch, day in (("b1", "2026-01-01"), ("b2", "2026-01-02")):
        event = BatchCompleted(batch_id=batch, business_date=day, loaded=4, rejected=0)
        producer.produce(topic, encode_event(event), key="same-partition")
    producer.flush(10)
    watcher = Consumer({"bootstrap.servers": platform_settings.kafka_bootstrap,
                        "group.id": f"{platform_settings.consumer_group_prefix}.watcher",
                        "auto.offset.reset": "earliest"})
    watcher.subscribe([topic])
    env = settings_env(platform_settings.model_copy(update={"build_max_attempts": 2,
                                                            "dbt_models_after_build": False}))
    log = (tmp_path / "transformer.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "services.transformer"], env=env,
                            stdout=log, stderr=log)
    try:
        assert wait_for_built(watcher, "b2", 90).status == "succeeded"
        failed = wh.rows("SELECT error FROM ops.builds WHERE batch_id = 'b1' ORDER BY build_id")
        assert len(failed) == 2 and all("O1 refused" in e for (e,) in failed)
        assert failed[-1][0].startswith("gave up after 2 attempts")
        assert wh.rows("SELECT order_id FROM warehouse.fact_orders") == [("O2",)]
        with psycopg.connect(database.url) as conn:  # what the ShopflowBuildGivenUp alert reads
            assert read_signals(conn).batches_given_up == 1
            conn.execute("DROP TRIGGER refuse_o1 ON warehouse.fact_orders")
        assert wh.build("b1").status == "succeeded"  # the runbook: rebuild once fixed
        with psycopg.connect(database.url) as conn:
            assert read_signals(conn).batches_given_up == 0
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        watcher.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()
