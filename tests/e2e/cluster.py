"""A three-broker Kafka cluster and a PostgreSQL primary with a streaming replica, private to
one test, started with the same scripts a user runs (scripts/infra/kafka-cluster.sh,
scripts/infra/postgres-replica.sh)."""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import AdminClient

from tests.e2e.platform import port_is_free
from tests.integration.loader.throwaway_pg import run_script


def free_port_triple() -> int:
    """A base port such that base, base+10 and base+20 are all free."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(30000, 50000)
        if all(port_is_free(base + 10 * i) for i in range(3)):
            return base
    raise RuntimeError("no free ports for a three-broker cluster")


@dataclass
class KafkaCluster:
    infra_dir: Path

    def __post_init__(self) -> None:
        self.env = {**os.environ, "SHOPFLOW_INFRA_DIR": str(self.infra_dir),
                    "SHOPFLOW_KAFKA_PORT": str(free_port_triple()),
                    "SHOPFLOW_KAFKA_CONTROLLER_PORT": str(free_port_triple()),
                    # the jars of the shared single broker, resolved once by kafka.sh
                    "SHOPFLOW_KAFKA_LIBS": run_script("kafka.sh", "libs", env=dict(os.environ))}
        self.bootstrap = run_script("kafka-cluster.sh", "bootstrap", env=self.env)

    def up(self) -> None:
        run_script("kafka-cluster.sh", "up", env=self.env)

    def down(self) -> None:
        run_script("kafka-cluster.sh", "down", env=self.env)

    def kill(self, node: int) -> None:
        run_script("kafka-cluster.sh", "kill", str(node), env=self.env)

    def start(self, node: int) -> None:
        run_script("kafka-cluster.sh", "start", str(node), env=self.env)

    def leader_of(self, topic: str, partition: int = 0) -> int:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        metadata = admin.list_topics(topic, timeout=10)
        return int(metadata.topics[topic].partitions[partition].leader)

    def replicas_of(self, topic: str) -> list[int]:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        partitions = admin.list_topics(topic, timeout=10).topics[topic].partitions
        return sorted({len(p.replicas) for p in partitions.values()})
