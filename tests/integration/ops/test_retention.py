"""`shopflow retention run` never removes what a full refresh needs: after it, a full
refresh gives the same warehouse and marts as before. Dry runs change nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psycopg
import pytest
from confluent_kafka.admin import AdminClient, ConfigResource, ResourceType

from shopflow.ops.retention import run_retention
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics, dlq_topic, raw_topic
from shopflow.warehouse import BuildRequest, run_build
from tests.conftest import TestDatabase
from tests.integration.transformer.conftest import warehouse_snapshot

pytestmark = pytest.mark.integration

STAGING = ("orders", "order_items", "clickstream", "customers", "products")


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM staging.{t}").fetchone()[0]
                for t in STAGING}


def _full_refresh(database: TestDatabase) -> dict[str, list[tuple]]:
    result = run_build(database.url_as("shopflow_transformer"),
                       BuildRequest(full_refresh=True, trigger="test"))
    assert result.status == "succeeded"
    return warehouse_snapshot(database.url)


def _age_everything(url: str) -> None:
    """Pretend all staging rows and resolved letters are 60 days old."""
    with psycopg.connect(url) as conn:
        for table in STAGING:
            conn.execute(f"UPDATE staging.{table} SET loaded_at = now() - interval '60 days'")
        conn.execute("UPDATE ops.dead_letters SET resolved_at = now() - interval '60 days'"
                     " WHERE line_number % 2 = 0")


def test_full_refresh_after_retention_gives_the_same_marts(ops_copy: TestDatabase,
                                                           tmp_path: Path) -> None:
    _age_everything(ops_copy.url)
    before = _full_refresh(ops_copy)
    settings = Settings(database_url=ops_copy.url, landing_dir=tmp_path / "landing")
    staged = _counts(ops_copy.url)

    dry = run_retention(settings, dry_run=True, topics=False)
    assert _counts(ops_copy.url) == staged
    assert dry.staging_rows["orders"] > 0 and dry.staging_rows["order_items"] >= 0
    assert dry.dead_letter_payloads > 0

    done = run_retention(settings, dry_run=False, topics=False)
    assert done.staging_rows == dry.staging_rows
    assert done.dead_letter_payloads == dry.dead_letter_payloads
    after_counts = _counts(ops_copy.url)
    assert after_counts["orders"] == staged["orders"] - done.staging_rows["orders"]
    assert after_counts["customers"] == staged["customers"]  # SCD2 history stays
    assert _full_refresh(ops_copy) == before
    again = run_retention(settings, dry_run=False, topics=False)
    assert sum(again.staging_rows.values()) == 0 and again.dead_letter_payloads == 0


def test_only_resolved_old_letters_lose_their_payload(ops_copy: TestDatabase,
                                                      tmp_path: Path) -> None:
    _age_everything(ops_copy.url)
    run_retention(Settings(database_url=ops_copy.url, landing_dir=tmp_path),
                  dry_run=False, topics=False)
    with psycopg.connect(ops_copy.url) as conn:
        rows = conn.execute("SELECT resolved_at IS NOT NULL, payload IS NULL, count(*)"
                            " FROM ops.dead_letters GROUP BY 1, 2").fetchall()
        runs = conn.execute("SELECT dry_run FROM ops.retention_runs").fetchall()
    assert {(resolved, purged) for resolved, purged, _ in rows} == {(True, True),
                                                                    (False, False)}
    assert runs == [(False,)]


def test_recent_staging_versions_stay(ops_copy: TestDatabase, tmp_path: Path) -> None:
    staged = _counts(ops_copy.url)  # loaded just now: younger than the retention
    report = run_retention(Settings(database_url=ops_copy.url, landing_dir=tmp_path),
                           dry_run=False, topics=False)
    assert sum(report.staging_rows.values()) == 0
    assert _counts(ops_copy.url) == staged


def test_processed_batches_older_than_the_retention_go(ops_copy: TestDatabase,
                                                       tmp_path: Path) -> None:
    processed = tmp_path / "landing" / ".processed"
    for name, age_days in (("batch-old", 10), ("batch-new", 1)):
        (processed / name).mkdir(parents=True)
        (processed / name / "orders.csv").write_text("order_id\n")
        stamp = time.time() - age_days * 86400
        os.utime(processed / name, (stamp, stamp))
    settings = Settings(database_url=ops_copy.url, landing_dir=tmp_path / "landing")
    assert run_retention(settings, dry_run=True, topics=False).processed_batches == [
        "batch-old"]
    assert (processed / "batch-old").exists()
    assert run_retention(settings, dry_run=False, topics=False).processed_batches == [
        "batch-old"]
    assert sorted(p.name for p in processed.iterdir()) == ["batch-new"]


def _retention_ms(bootstrap: str, topic: str, expected: str) -> str:
    """The topic's retention.ms once it reads `expected` (the broker applies an altered
    config asynchronously), or what it still reads after a while."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    resource = ConfigResource(ResourceType.TOPIC, topic)
    for _ in range(50):
        configs = admin.describe_configs([resource])[resource].result(timeout=30)
        value = str(configs["retention.ms"].value)
        if value == expected:
            break
        time.sleep(0.2)
    return value


def test_topics_get_their_kinds_retention(settings: Settings, kafka_bootstrap: str,
                                          ops_copy: TestDatabase) -> None:
    settings = settings.model_copy(update={"retention_raw_ms": 3_600_000,
                                           "retention_dlq_ms": 86_400_000})
    create_topics(settings, [raw_topic(settings, "orders")])
    assert _retention_ms(kafka_bootstrap, raw_topic(settings, "orders"), "3600000") == "3600000"
    changed = settings.model_copy(update={"retention_raw_ms": 7_200_000,
                                          "database_url": ops_copy.url})
    create_topics(changed)  # shopflow init: every topic, existing ones re-configured
    assert _retention_ms(kafka_bootstrap, raw_topic(settings, "orders"), "7200000") == "7200000"
    assert _retention_ms(kafka_bootstrap, dlq_topic(settings, "orders"), "86400000") == "86400000"
    report = run_retention(changed.model_copy(update={"retention_dlq_ms": 172_800_000}),
                           dry_run=False)
    assert report.topics[dlq_topic(settings, "orders")] == "172800000"
    assert _retention_ms(kafka_bootstrap, dlq_topic(settings, "orders"), "172800000") == "172800000"
