"""Wiring of the validator service: raw.* → (validate) → valid.* or dlq.*."""

from __future__ import annotations

import logging

from confluent_kafka import Message

from contracts import ENTITIES
from services.validator.handler import Validator
from shopflow.runtime.errors import DeliveryError
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.service import ServiceContext
from shopflow.runtime.shutdown import Shutdown
from shopflow.topics import raw_topic

log = logging.getLogger(__name__)
_RETRY_SECONDS = (1, 2, 5, 10, 30)


class StopRequested(Exception):
    pass


def main(context: ServiceContext) -> None:
    settings = context.settings
    producer = EventProducer(settings)
    validator = Validator(settings, producer)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.validator",
                             [raw_topic(settings, entity) for entity in ENTITIES], "validator")
    try:
        consumer.run(lambda batch: _handle(validator, batch, context.shutdown),
                     context.shutdown)
    except StopRequested:
        log.info("stopped while the broker was unreachable; the batch will be redelivered")


def _handle(validator: Validator, batch: list[Message], shutdown: Shutdown) -> None:
    """Retry the whole batch until the broker acks it; duplicates are absorbed downstream."""
    attempt = 0
    while True:
        try:
            validator.handle(batch)
            return
        except DeliveryError as exc:
            delay = _RETRY_SECONDS[min(attempt, len(_RETRY_SECONDS) - 1)]
            log.warning("output not acknowledged; retrying the batch",
                        extra={"error": str(exc), "retry_in_s": delay})
            if shutdown.wait(delay):
                raise StopRequested from exc
            attempt += 1
