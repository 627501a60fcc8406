"""Topic naming, the one rule: ``<prefix>.<kind>.<name>``.

kind is ``raw``, ``valid`` or ``dlq`` (name = the entity) or ``control`` (name =
``batches``, the batch lifecycle events). Dead-letter topics get the same
partition count as their sources so replays keep per-key order.
"""

from __future__ import annotations

import logging
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
    (topics made before it existed kept Kafka's 1 MB default)."""
    admin = AdminClient(client_config(settings))
    wanted = list(names) if names is not None else all_topics(settings)
    existing = set(admin.list_topics(timeout=timeout).topics)
    if names is None:
        raise_message_limit(admin, settings, [n for n in wanted if n in existing], timeout)
    missing = [
        NewTopic(name, num_partitions=settings.topic_partitions,
                 replication_factor=settings.topic_replication,
                 config={"max.message.bytes": str(settings.max_message_bytes)})
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
    log.info("topics created", extra={"topics": created})
    return created


def raise_message_limit(admin: AdminClient, settings: Settings, names: list[str],
                        timeout: float) -> None:
    """Set max.message.bytes on existing topics (an incremental change: other settings of
    the topic stay as they are)."""
    if not names:
        return
    entry = ConfigEntry("max.message.bytes", str(settings.max_message_bytes),
                        incremental_operation=AlterConfigOpType.SET)
    resources = [ConfigResource(ResourceType.TOPIC, name, incremental_configs=[entry])
                 for name in names]
    for resource, future in admin.incremental_alter_configs(
            resources, request_timeout=timeout).items():
        future.result()
        log.debug("message limit set", extra={"topic": resource.name})
