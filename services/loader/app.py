"""Wiring of the loader service: valid/dlq/control topics -> staging and the batch ledger.

Per message batch: one database transaction (shopflow.load), then the offsets are
stored, then the outbox is published. Unsent outbox events are also published at
start-up and every few seconds, so a crash between commit and publish loses none.
"""

from __future__ import annotations

import logging
import time

import psycopg
from confluent_kafka import KafkaException

from shopflow.dlq.record import record_dead_letters
from shopflow.load.loader import Loader
from shopflow.load.messages import loader_topics
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.metrics import BATCH_SECONDS
from shopflow.runtime.service import ServiceContext
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics

log = logging.getLogger(__name__)
SERVICE = "loader"
OUTBOX_INTERVAL_S = 5.0


def main(context: ServiceContext) -> None:
    settings, shutdown = context.settings, context.shutdown
    loader = Loader(settings, record_dead_letters, shutdown)
    context.health_checks["database"] = loader.database_reachable
    topics = loader_topics(settings)
    create_topics(settings, topics)
    producer = EventProducer(settings)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.{SERVICE}", topics,
                             SERVICE, **consumer_overrides(settings))
    try:
        loader.publish_outbox(producer)
        consume(consumer, loader, producer, context)
    finally:
        consumer.close()
        loader.close()


def consumer_overrides(settings: Settings) -> dict[str, str]:
    # Round-robin spreads every topic's partitions over the loaders (decision 0023); the
    # sticky assignor balances only the total and can leave one loader only dlq topics.
    overrides = {"partition.assignment.strategy": "roundrobin"}
    if settings.consumer_instance_id:
        overrides["group.instance.id"] = settings.consumer_instance_id
    return overrides


def consume(consumer: BatchConsumer, loader: Loader, producer: EventProducer,
            context: ServiceContext) -> None:
    next_outbox = time.monotonic() + OUTBOX_INTERVAL_S
    while not context.shutdown.requested:
        messages = consumer.poll_batch()
        if messages and not handle(consumer, loader, producer, messages, context):
            return
        if time.monotonic() >= next_outbox:
            loader.publish_outbox(producer)
            next_outbox = time.monotonic() + OUTBOX_INTERVAL_S


def handle(consumer: BatchConsumer, loader: Loader, producer: EventProducer,
           messages: list, context: ServiceContext) -> bool:
    """Load, then acknowledge, then announce; False when shutdown interrupted the load."""
    started = time.monotonic()
    try:
        result = loader.load(messages)
    except psycopg.OperationalError:
        if context.shutdown.requested:
            log.info("shutdown during a database outage; batch left unacknowledged")
            return False
        raise
    try:
        consumer.store(messages)
    except KafkaException as exc:  # partitions revoked meanwhile: the new owner redoes them
        log.warning("offsets not stored", extra={"error": str(exc)})
    seconds = time.monotonic() - started
    BATCH_SECONDS.labels(SERVICE).observe(seconds)
    log.debug("batch loaded", extra={"messages": len(messages), "seconds": round(seconds, 4),
                                     "rows": result.inserted_by_entity()})
    if result.completed:
        loader.publish_outbox(producer)
    return True
