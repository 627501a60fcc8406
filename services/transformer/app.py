"""Wiring of the transformer service: control topic -> warehouse builds -> WarehouseBuilt.

Consumes `<prefix>.control.batches` in group `<group prefix>.transformer`. An event's
offset is stored only after its build committed and WarehouseBuilt was acked; a
failed build rewinds the partitions to the first unhandled event and retries it
after a back-off, so nothing is skipped.
"""

from __future__ import annotations

import logging

from confluent_kafka import Message, TopicPartition

from services.transformer.handler import BuildHandler
from shopflow.db.connect import connect
from shopflow.runtime.errors import ShopflowError
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.service import ServiceContext
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, create_topics

log = logging.getLogger(__name__)
SERVICE = "transformer"
BACKOFF_START_S, BACKOFF_MAX_S = 1.0, 60.0


def main(context: ServiceContext) -> None:
    settings = context.settings
    context.health_checks["database"] = lambda: database_reachable(settings)
    topic = control_topic(settings)
    create_topics(settings, [topic])
    producer = EventProducer(settings)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.{SERVICE}", [topic],
                             SERVICE)
    handler = BuildHandler(settings, producer)
    backoff = BACKOFF_START_S
    try:
        while not context.shutdown.requested:
            messages = consumer.poll_batch(max_messages=100)
            if not messages:
                continue
            if handle_messages(consumer, handler, messages):
                backoff = BACKOFF_START_S
            else:
                context.shutdown.wait(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
    finally:
        consumer.close()


def handle_messages(consumer: BatchConsumer, handler: BuildHandler,
                    messages: list[Message]) -> bool:
    """Handle in order, storing each offset; on failure rewind and return False."""
    for position, msg in enumerate(messages):
        try:
            handler.handle(msg)
        except ShopflowError as exc:
            log.error("build failed; the event will be retried",
                      extra={"topic": msg.topic(), "partition": msg.partition(),
                             "offset": msg.offset(), "error": str(exc)})
            rewind(consumer, messages[position:])
            return False
        consumer.store([msg])
    return True


def rewind(consumer: BatchConsumer, unhandled: list[Message]) -> None:
    """Seek each partition back to its first unhandled message."""
    first: dict[tuple[str, int], int] = {}
    for msg in unhandled:
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        if topic is None or partition is None or offset is None:
            continue
        first[(topic, partition)] = min(first.get((topic, partition), offset), offset)
    for (topic, partition), offset in first.items():
        consumer.raw.seek(TopicPartition(topic, partition, offset))


def database_reachable(settings: Settings) -> bool:
    try:
        with connect(settings.database_url_for("transformer")) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False
