"""Kafka producer and batch consumer on confluent-kafka.

The consumer never auto-stores offsets: a batch's offsets are stored only after
the handler has finished with it (and, for producers, after the broker acked the
output). librdkafka then commits stored offsets in the background, on revoke and
on close, so a crash before storing means the batch is redelivered.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from confluent_kafka import Consumer, KafkaError, Message, Producer, TopicPartition

from shopflow.runtime.errors import DeliveryError, MessageError
from shopflow.runtime.metrics import CONSUMER_LAG
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)

Headers = list[tuple[str, str | bytes | None]]


def client_config(settings: Settings) -> dict[str, Any]:
    """Where the brokers are and how to reach them (TLS when configured): every Kafka
    client (producer, consumer, admin) starts from this."""
    config: dict[str, Any] = {"bootstrap.servers": settings.kafka_bootstrap}
    if settings.kafka_security_protocol == "SSL":
        config["security.protocol"] = "SSL"
        config["ssl.endpoint.identification.algorithm"] = "https"  # check the host name
        optional = {"ssl.ca.location": settings.kafka_ssl_ca_location,
                    "ssl.certificate.location": settings.kafka_ssl_certificate_location,
                    "ssl.key.location": settings.kafka_ssl_key_location}
        config.update({name: str(path) for name, path in optional.items() if path})
        if settings.kafka_ssl_key_password is not None:
            config["ssl.key.password"] = settings.kafka_ssl_key_password.get_secret_value()
    return config


def producer_config(settings: Settings, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        **client_config(settings),
        "enable.idempotence": True,
        "acks": "all",
        "compression.type": "lz4",
        "linger.ms": 20,
        "batch.size": 1_000_000,
        "queue.buffering.max.messages": 500_000,
        "message.timeout.ms": 120_000,
        "message.max.bytes": settings.max_message_bytes + 64 * 1024,
    }
    config.update(overrides)
    return config


class EventProducer:
    """Idempotent producer that counts delivery failures and flushes on demand.

    A message counts as delivered only when the broker acknowledged it with an offset.
    librdkafka also reports a message as delivered, without error but without an offset,
    when it only *infers* the delivery: a later request to the partition succeeded while
    the message's own request had failed (an "implicit ack"), or the broker answered
    DUPLICATE_SEQUENCE_NUMBER. That inference is wrong when the broker keeps no state for
    this producer on the partition (a partition created moments ago, or producer state
    expired): it accepts the later request although the earlier one was never written,
    and the message is lost while reported delivered. Such reports are failures here, so
    the caller sends again (at least once; repeats are absorbed downstream by identity).
    See docs/decisions/0084-only-broker-confirmed-deliveries.md.
    """

    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self._producer = Producer(producer_config(settings, **overrides))
        self._failures: list[str] = []

    def _on_delivery(self, err: KafkaError | None, msg: Message) -> None:
        if err is not None:
            self._failures.append(f"{msg.topic()} [{msg.partition()}]: {err}")
            return
        offset = msg.offset()
        if offset is None or offset < 0:
            self._failures.append(
                f"{msg.topic()} [{msg.partition()}]: reported delivered without an offset "
                "(inferred by the client, not confirmed by the broker)")

    def produce(self, topic: str, value: bytes | None, key: bytes | str | None = None,
                headers: Headers | None = None) -> None:
        while True:
            try:
                self._producer.produce(topic, value=value, key=key, headers=headers,
                                       on_delivery=self._on_delivery)
                return
            except BufferError:
                self._producer.poll(0.1)  # local queue full: let deliveries drain

    def poll(self, timeout: float = 0) -> None:
        self._producer.poll(timeout)

    def flush(self, timeout: float = 120.0) -> None:
        """Block until every produced message is acknowledged, or raise DeliveryError."""
        remaining = self._producer.flush(timeout)
        failures, self._failures = self._failures, []
        if remaining:
            raise DeliveryError(f"{remaining} message(s) not delivered within {timeout}s")
        if failures:
            raise DeliveryError(f"{len(failures)} delivery failure(s), first: {failures[0]}")


def consumer_config(settings: Settings, group_id: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        **client_config(settings),
        "group.id": group_id,
        "enable.auto.commit": True,
        "auto.commit.interval.ms": 1000,
        "enable.auto.offset.store": False,
        "auto.offset.reset": "earliest",
        "partition.assignment.strategy": "cooperative-sticky",
        "session.timeout.ms": 10_000,
        "max.poll.interval.ms": 300_000,
        "fetch.min.bytes": 1,
        # A message is a chunk of up to 1,000 records: librdkafka's defaults (100,000
        # messages per partition, 64 MB of fetched data) let a consumer that runs behind
        # hold hundreds of MB of decompressed chunks it cannot handle before long anyway.
        "queued.min.messages": 100,
        "queued.max.messages.kbytes": 16 * 1024,
        "fetch.max.bytes": 16 * 1024 * 1024,
        "isolation.level": "read_committed",
    }
    config.update(overrides)
    return config


def raise_for_error(msg: Message) -> None:
    err = msg.error()
    if err is None:
        return
    if err.code() == KafkaError._PARTITION_EOF:
        return
    raise MessageError(str(err), topic=msg.topic(), partition=msg.partition(),
                       offset=msg.offset())


class BatchConsumer:
    """Reads message batches and stores their offsets only after the handler succeeded."""

    def __init__(self, settings: Settings, group_id: str, topics: Sequence[str],
                 service: str, **overrides: Any) -> None:
        self.service = service
        self._settings = settings
        self._consumer = Consumer(consumer_config(settings, group_id, **overrides))
        self._consumer.subscribe(list(topics), on_revoke=self._on_revoke)
        self._closed = False

    def _on_revoke(self, consumer: Consumer, partitions: list[TopicPartition]) -> None:
        try:
            consumer.commit(asynchronous=False)
        except Exception as exc:  # nothing stored yet is the usual case
            log.debug("commit on revoke skipped", extra={"reason": str(exc)})

    def poll_batch(self, max_messages: int | None = None,
                   timeout: float | None = None) -> list[Message]:
        """Up to max_messages: waits up to `timeout` for the first message, then takes only
        what has already arrived. librdkafka's consume(n, timeout) returns early only with
        n messages, so the last chunks of a batch (and a lone control event) would wait out
        the whole timeout at every stage; Kafka's Java poll() returns what is ready, too."""
        limit = max_messages or self._settings.consume_batch_size
        messages = self._consumer.consume(
            1, timeout if timeout is not None else self._settings.consume_timeout_s)
        if messages and limit > 1:
            messages += self._consumer.consume(limit - 1, 0)
        good = []
        for msg in messages:
            err = msg.error()
            if err is not None and err.code() == KafkaError._PARTITION_EOF:
                continue
            if err is not None:
                if err.retriable() or not err.fatal():
                    log.warning("consumer error", extra={"error": str(err)})
                    continue
                raise_for_error(msg)
            good.append(msg)
        return good

    def store(self, messages: Sequence[Message]) -> None:
        """Mark messages as processed; their offsets are committed from then on."""
        latest: dict[tuple[str, int], int] = {}
        for msg in messages:
            topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
            if topic is None or partition is None or offset is None:
                continue
            latest[(topic, partition)] = max(latest.get((topic, partition), -1), offset)
        if latest:
            self._consumer.store_offsets(
                offsets=[TopicPartition(t, p, o + 1) for (t, p), o in latest.items()]
            )
            self._record_lag(latest)

    def _record_lag(self, latest: dict[tuple[str, int], int]) -> None:
        """Consumer lag per partition after a batch, from the cached high watermarks."""
        for (topic, partition), offset in latest.items():
            _low, high = self._consumer.get_watermark_offsets(
                TopicPartition(topic, partition), cached=True)
            if high >= 0:
                CONSUMER_LAG.labels(self.service, topic, str(partition)).set(
                    max(high - offset - 1, 0))

    def commit(self) -> None:
        try:
            self._consumer.commit(asynchronous=False)
        except Exception as exc:
            log.debug("nothing to commit", extra={"reason": str(exc)})

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self.commit()
            self._consumer.close()

    @property
    def raw(self) -> Consumer:
        return self._consumer
