"""Wiring of the loader service: valid/dlq/control topics -> staging and the batch ledger.

The service runs the one processing loop (shopflow.runtime.loop): poll a message
batch, load it in one database transaction (Loader.handle), then store its offsets.
Transient database errors are retried by the loop's backoff policy on the same batch;
records the database refuses become dead letters (decision 0056); any other database
error stops the process (BatchLoadError). After a cycle whose batch completed batches,
and every few seconds, the outbox is published; unsent events are also published at
start-up, so a crash between commit and publish loses none.
"""

from __future__ import annotations

import logging
import time

from shopflow.dlq.record import record_dead_letters
from shopflow.load.loader import Loader
from shopflow.load.messages import loader_topics
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.loop import ProcessingLoop
from shopflow.runtime.service import ServiceContext
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics

log = logging.getLogger(__name__)
SERVICE = "loader"
OUTBOX_INTERVAL_S = 5.0


class OutboxSchedule:
    """The loop's on_cycle: publish after a batch completed batches, and every few seconds."""

    def __init__(self, loader: Loader, producer: EventProducer,
                 interval_s: float = OUTBOX_INTERVAL_S) -> None:
        self._loader, self._producer, self._interval = loader, producer, interval_s
        self._next = time.monotonic() + interval_s

    def __call__(self) -> None:
        if self._loader.completed_since_publish or time.monotonic() >= self._next:
            self._loader.publish_outbox(self._producer)
            self._next = time.monotonic() + self._interval


def main(context: ServiceContext) -> None:
    settings, shutdown = context.settings, context.shutdown
    producer = EventProducer(settings)  # BatchCompleted events and refused records' letters
    loader = Loader(settings, record_dead_letters, producer)
    context.health_checks["database"] = loader.database_reachable
    topics = loader_topics(settings)
    create_topics(settings, topics)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.{SERVICE}", topics,
                             SERVICE, **consumer_overrides(settings))
    loop = ProcessingLoop(consumer, loader.handle, shutdown,
                          on_cycle=OutboxSchedule(loader, producer))
    try:
        loader.publish_outbox(producer)
        loop.run()  # closes the consumer (stored offsets committed) when it ends
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
