"""The grown-up deployment, run for real: three Kafka brokers (replication 3, two in sync) and
a PostgreSQL primary with a streaming replica the API reads from. Two partition leaders are
killed and restarted and the primary restarts mid-run; at the end staging, the warehouse and
the API equal the generator's truth exactly and every batch completed once."""

from __future__ import annotations

import time
import urllib.error
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from shopflow.db.connect import with_user
from shopflow.db.migrate import upgrade
from shopflow.generate.config import GenerationConfig
from shopflow.generate.run import generate
from shopflow.ingest.submit import submit
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics, raw_topic
from tests.e2e.cluster import KafkaCluster
from tests.e2e.platform import Platform
from tests.e2e.truth import (
    api_differences,
    assert_loaded_exactly_once,
    load_truth,
)
from tests.integration.loader.throwaway_pg import PrimaryWithReplica

pytestmark = pytest.mark.e2e


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[KafkaCluster]:
    kafka = KafkaCluster(tmp_path / "infra")
    kafka.up()
    try:
        yield kafka
    finally:
        kafka.down()


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[PrimaryWithReplica]:
    pg = PrimaryWithReplica(tmp_path / "infra")
    try:
        upgrade(pg.primary.url)
        pg.start_replica()
        yield pg
    finally:
        pg.destroy()


def cluster_settings(kafka: KafkaCluster, pg: PrimaryWithReplica, tmp_path: Path) -> Settings:
    url = pg.primary.url
    return Settings(
        kafka_bootstrap=kafka.bootstrap, topic_prefix="cluster", consumer_group_prefix="cluster",
        topic_partitions=3, landing_dir=tmp_path / "landing",
        quarantine_dir=tmp_path / "quarantine", metrics_port=0, metrics_host="127.0.0.1",
        database_url=url, ingestor_database_url=with_user(url, "shopflow_ingestor"),
        loader_database_url=with_user(url, "shopflow_loader"),
        transformer_database_url=with_user(url, "shopflow_transformer"),
        api_database_url=with_user(pg.replica_url, "shopflow_api"),
        api_primary_database_url=with_user(url, "shopflow_api"),
        dbt_models_after_build=False)


def answers_from_replica(platform: Platform) -> bool:
    try:
        return "revenue" in platform.api("/api/v1/kpis")
    except urllib.error.HTTPError:
        return False


def test_broker_crashes_and_a_primary_restart_lose_nothing(
        cluster: KafkaCluster, databases: PrimaryWithReplica, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    generate(GenerationConfig(days=6, start=date(2026, 5, 1), orders_per_day=40, seed=11,
                              defect_rate=0.03, out=out))
    truth = load_truth(out)
    batch_ids = sorted(truth["batches"])
    settings = cluster_settings(cluster, databases, tmp_path)
    create_topics(settings)
    assert cluster.replicas_of(raw_topic(settings, "orders")) == [3]
    platform = Platform(settings, tmp_path / "logs")
    platform.start_all()
    landing = settings.landing_dir
    try:
        submit(out / batch_ids[0], landing)
        submit(out / batch_ids[1], landing)
        platform.wait_for(lambda: platform.batches_built(batch_ids[:1]), 240, "the first build")
        first = cluster.leader_of(raw_topic(settings, "orders"))
        cluster.kill(first)  # a partition leader dies with work in flight
        submit(out / batch_ids[2], landing)
        submit(out / batch_ids[3], landing)
        time.sleep(3)
        cluster.start(first)
        platform.wait_for(lambda: platform.batches_built(batch_ids[:4]), 300, "builds 1-4")
        second = next(n for n in (1, 2, 3) if n != first)
        cluster.kill(second)
        submit(out / batch_ids[4], landing)
        databases.primary.stop("fast")  # the API keeps answering from the replica
        assert answers_from_replica(platform)
        time.sleep(3)
        assert answers_from_replica(platform)
        databases.primary.start()
        cluster.start(second)
        submit(out / batch_ids[5], landing)
        platform.wait_for(lambda: platform.batches_built(batch_ids), 420, "all batches built")

        assert_loaded_exactly_once(platform, truth, out, batch_ids)
        platform.wait_for(lambda: databases.replay_lag_bytes() == 0, 60, "the replica")
        platform.wait_for(lambda: api_differences(platform, truth) == [], 60,
                          "the API on the replica to show the truth")
        assert platform.crashed() == []
    finally:
        platform.stop_all()
