"""The validator's batch handler: route each raw record to valid.* or dlq.*, then flush.

Offsets are stored by the consumer only after `handle` returned, i.e. after the
broker acknowledged every produced record; nothing here assumes it is the only
validator process.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime

from confluent_kafka import KafkaException, Message

from contracts import ErrorCode, FieldError, canonical_json
from services.validator.checking import decide
from services.validator.headers import (
    dead_letter_headers,
    headers_of,
    plain_provenance,
    plain_valid_headers,
    valid_headers,
)
from shopflow.events import H_CONTRACT_VERSION, header_map, utcnow
from shopflow.runtime.errors import MessageError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.metrics import RECORDS_IN, RECORDS_OUT, RECORDS_REJECTED
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, entity_of, valid_topic

log = logging.getLogger(__name__)
SERVICE = "validator"


class Validator:
    def __init__(self, settings: Settings, producer: EventProducer) -> None:
        self._settings, self._producer = settings, producer
        self._in: Counter[str] = Counter()
        self._out: Counter[str] = Counter()
        self._rejected: Counter[tuple[str, str]] = Counter()
        self._topics: dict[str, tuple[str, str, str]] = {}

    def handle(self, messages: list[Message]) -> None:
        """Produce one output per message and wait for the broker's acks (DeliveryError)."""
        self._in.clear()
        self._out.clear()
        self._rejected.clear()
        now = _kafka_precision(utcnow()).isoformat()
        for msg in messages:
            self._route(msg, now)
        self._producer.flush()
        self._publish_metrics()

    def _route(self, msg: Message, now: str) -> None:
        entity, valid, dlq = self._topics_for(msg.topic() or "")
        plain = plain_provenance(msg.headers())
        if plain is None:
            incoming = header_map(headers_of(msg))
        else:  # the common case: decide() reads only the contract version of these
            version = plain.by_name.get(H_CONTRACT_VERSION)
            incoming = {} if version is None else \
                {H_CONTRACT_VERSION: version.decode("utf-8", "replace")}
        decision = decide(entity, msg.value(), incoming)
        self._in[entity] += 1
        model = decision.outcome.model
        if decision.outcome.ok and model is not None:
            try:
                headers = valid_headers(headers_of(msg), model.VERSION) if plain is None \
                    else plain_valid_headers(plain, model.VERSION)
                self._producer.produce(valid, canonical_json(model), msg.key(), headers)
                self._out[entity] += 1
                return
            except (KafkaException, ValueError, TypeError) as exc:
                errors = [FieldError(ErrorCode.UNPARSEABLE, None,
                                     f"the canonical record cannot be published: {exc}")]
        else:
            errors = decision.outcome.errors
        self._dead_letter(msg, dlq, entity, header_map(headers_of(msg)), errors,
                          decision.version, now)

    def _topics_for(self, raw_topic: str) -> tuple[str, str, str]:
        """(entity, valid topic, dead-letter topic) of a raw topic, worked out once."""
        known = self._topics.get(raw_topic)
        if known is None:
            entity = entity_of(raw_topic)
            known = (entity, valid_topic(self._settings, entity),
                     dlq_topic(self._settings, entity))
            self._topics[raw_topic] = known
        return known

    def _dead_letter(self, msg: Message, dlq: str, entity: str, incoming: dict[str, str],
                     errors: list[FieldError], version: str, now: str) -> None:
        headers = dead_letter_headers(msg, incoming, errors, version, now)
        try:
            self._producer.produce(dlq, msg.value(), msg.key(), headers)
        except KafkaException as exc:
            error = MessageError(f"cannot dead-letter the record: {exc}", topic=msg.topic(),
                                 partition=msg.partition(), offset=msg.offset())
            log.error("record dropped", extra={"error": str(error)})
            return
        for code in dict.fromkeys(error.code.value for error in errors):
            self._rejected[(entity, code)] += 1

    def _publish_metrics(self) -> None:
        for entity, n in self._in.items():
            RECORDS_IN.labels(SERVICE, entity).inc(n)
        for entity, n in self._out.items():
            RECORDS_OUT.labels(SERVICE, entity).inc(n)
        for (entity, code), n in self._rejected.items():
            RECORDS_REJECTED.labels(SERVICE, entity, code).inc(n)


def _kafka_precision(moment: datetime) -> datetime:
    """The moment cut to milliseconds, the precision of Kafka timestamps: a dead letter's
    first-failed time must never come after its own (later, millisecond) timestamp, which
    is what a consumer takes as the last failure. Batches are fast enough for both to fall
    in the same millisecond."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
