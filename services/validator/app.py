"""Wiring of the validator service: raw.* chunks -> (validate) -> valid.* chunks or dlq.*."""

from __future__ import annotations

from contracts import ENTITIES
from services.validator.handler import Validator
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.loop import ProcessingLoop
from shopflow.runtime.service import ServiceContext
from shopflow.topics import raw_topic


def main(context: ServiceContext) -> None:
    """A batch whose output the broker does not acknowledge (DeliveryError, a transient
    error) is retried whole by the loop; duplicates are absorbed downstream by identity."""
    settings = context.settings
    producer = EventProducer(settings)
    validator = Validator(settings, producer)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.validator",
                             [raw_topic(settings, entity) for entity in ENTITIES], "validator")
    ProcessingLoop(consumer, validator.handle, context.shutdown).run()
