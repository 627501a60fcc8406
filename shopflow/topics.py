"""Topic naming, the one rule: ``<prefix>.<kind>.<name>``.

kind is ``raw``, ``valid`` or ``dlq`` (name = the entity) or ``control`` (name =
``batches``, the batch lifecycle events). Dead-letter topics get the same
partition count as their sources so replays keep per-key order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from confluent_kafka.admin import (
    AdminClient,
    AlterConfigOpType,
    ConfigEntry,
    ConfigResource,
    NewTopic,
    ResourceType,
)

from contracts import ENTITIES
from shopflow.runtime.kafka import client_config
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)

RECORD_KINDS = ("raw", "valid", "dlq")


def topic(settings: Settings, kind: str, name: str) -> str:
    return f"{settings.topic_prefix}.{kind}.{name}"


def raw_topic(settings: Settings, entity: str) -> str:
    return topic(settings, "raw", entity)


def valid_topic(settings: Settings, entity: str) -> str:
    return topic(settings, "valid", entity)


def dlq_topic(settings: Settings, entity: str) -> str:
    return topic(settings, "dlq", entity)


def control_topic(settings: Settings) -> str:
    return topic(settings, "control", "batches")


def entity_of(topic_name: str) -> str:
    return topic_name.rsplit(".", 1)[-1]


def all_topics(settings: Settings) -> list[str]:
    names = [topic(settings, kind, e) for kind in RECORD_KINDS for e in ENTITIES]
    return [*names, control_topic(settings)]


def create_topics(settings: Settings, names: Iterable[str] | None = None,
                  timeout: float = 30.0) -> list[str]:
    """Create missing topics; returns those created. Without `names` (`shopflow init`),
    every topic of the platform, and existing ones get the platform's message size limit
    and their kind's retention (topics made before them kept Kafka's defaults)."""
    admin = AdminClient(client_config(settings))
    wanted = list(names) if names is not None else all_topics(settings)
    metadata = admin.list_topics(timeout=timeout)
    existing = set(metadata.topics)
    if names is None:
        apply_topic_configs(admin, settings, [n for n in wanted if n in existing], timeout)
    replicas, in_sync = replication(settings, len(metadata.brokers))
    missing = [
        NewTopic(name, num_partitions=settings.topic_partitions, replication_factor=replicas,
                 config={**topic_config(settings, name), "min.insync.replicas": str(in_sync)})
        for name in wanted if name not in existing
    ]
    if not missing:
        return []
    created = []
    for name, future in admin.create_topics(missing, request_timeout=timeout).items():
        try:
            future.result()
            created.append(name)
        except Exception as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
    wait_until_led(admin, created, settings.topic_partitions, timeout)
    log.info("topics created", extra={"topics": created})
    return created


def wait_until_led(admin: AdminClient, names: list[str], partitions: int,
                   timeout: float) -> None:
    """Wait until the cluster's metadata gives every partition of the topics a leader.
    Creation returns before that; a client that starts at once would see unknown topics
    or NOT_LEADER for about a second (decision 0084). A warning after `timeout`: the
    clients retry such errors themselves."""
    deadline = time.monotonic() + timeout
    while names:
        topics = admin.list_topics(timeout=timeout).topics
        if all(name in topics and topics[name].error is None
               and len(topics[name].partitions) == partitions
               and all(p.leader >= 0 for p in topics[name].partitions.values())
               for name in names):
            return
        if time.monotonic() > deadline:
            log.warning("topics created but not yet led", extra={"topics": names})
            return
        time.sleep(0.1)


def replication(settings: Settings, brokers: int) -> tuple[int, int]:
    """(replication factor, min.insync.replicas) for new topics on a cluster of `brokers`:
    the settings when given, else 3 and 2 on three brokers or more, 1 and 1 below."""
    replicas = settings.topic_replication or (3 if brokers >= 3 else 1)
    in_sync = settings.topic_min_insync_replicas or (2 if replicas >= 3 else 1)
    if in_sync > replicas:
        raise ValueError(f"min.insync.replicas {in_sync} > replication factor {replicas}")
    return replicas, in_sync


def kind_of(settings: Settings, topic_name: str) -> str | None:
    """raw, valid, dlq or control for a topic of this platform (its prefix), else None."""
    head, _, rest = topic_name.partition(f"{settings.topic_prefix}.")
    kind = rest.split(".", 1)[0] if not head and rest else None
    return kind if kind in (*RECORD_KINDS, "control") else None


def topic_config(settings: Settings, name: str) -> dict[str, str]:
    """The configs every platform topic gets: message size limit, its kind's retention."""
    config = {"max.message.bytes": str(settings.max_message_bytes)}
    kind = kind_of(settings, name)
    if kind is not None:
        config["retention.ms"] = str(settings.topic_retention_ms(kind))
    return config


def apply_topic_configs(admin: AdminClient, settings: Settings, names: list[str],
                        timeout: float = 30.0) -> None:
    """Set the platform's configs on existing topics (an incremental change: other
    settings of the topic stay as they are)."""
    if not names:
        return
    resources = [
        ConfigResource(ResourceType.TOPIC, name, incremental_configs=[
            ConfigEntry(key, value, incremental_operation=AlterConfigOpType.SET)
            for key, value in topic_config(settings, name).items()])
        for name in names]
    for resource, future in admin.incremental_alter_configs(
            resources, request_timeout=timeout).items():
        future.result()
        log.debug("topic configured", extra={"topic": resource.name})
