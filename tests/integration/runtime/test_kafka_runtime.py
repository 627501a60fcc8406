"""The shared Kafka runtime against the real broker."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics
from tests.conftest import settings_env

pytestmark = __import__("pytest").mark.integration


def _produce(settings: Settings, topic: str, count: int) -> None:
    producer = EventProducer(settings)
    for i in range(count):
        producer.produce(topic, value=f"v{i}".encode(), key=f"k{i % 7}",
                         headers=[("n", str(i).encode())])
    producer.flush()


def _drain(consumer: BatchConsumer, expected: int, rounds: int = 60) -> list[bytes]:
    values: list[bytes] = []
    for _ in range(rounds):
        batch = consumer.poll_batch(timeout=1.0)
        values.extend(m.value() for m in batch)
        consumer.store(batch)
        if len(values) >= expected:
            break
    return values


def test_round_trip_through_shared_runtime(settings: Settings, kafka_bootstrap: str) -> None:
    topic = f"{settings.topic_prefix}.raw.roundtrip"
    assert create_topics(settings, [topic]) == [topic]
    assert create_topics(settings, [topic]) == []  # idempotent
    _produce(settings, topic, 500)

    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}-rt", [topic], "test")
    try:
        values = _drain(consumer, 500)
    finally:
        consumer.close()
    assert sorted(values) == sorted(f"v{i}".encode() for i in range(500))


def test_poll_batch_returns_what_arrived_without_waiting_for_a_full_batch(
        settings: Settings, kafka_bootstrap: str) -> None:
    """A lone control event, or a batch's last chunks, must not wait out the timeout for a
    full batch (librdkafka's consume(n, timeout) does): every stage would add it."""
    topic = f"{settings.topic_prefix}.control.lone"
    create_topics(settings, [topic])
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}-lone", [topic],
                             "test")
    _produce(settings, topic, 3)
    try:
        started = time.monotonic()  # the wait includes joining the group (a few seconds)
        batch = consumer.poll_batch(max_messages=100, timeout=30.0)
        waited = time.monotonic() - started
    finally:
        consumer.close()
    assert 1 <= len(batch) <= 3
    assert waited < 15.0, f"poll_batch waited {waited:.1f} s for a full batch"


CONSUME_THEN_DIE = textwrap.dedent("""
    import os, sys
    from shopflow.runtime.kafka import BatchConsumer
    from shopflow.runtime.settings import Settings
    consumer = BatchConsumer(Settings(), sys.argv[1], [sys.argv[2]], "test")
    seen = 0
    while seen < int(sys.argv[3]):
        batch = consumer.poll_batch(timeout=1.0)
        seen += len(batch)
        if sys.argv[4] == "store":
            consumer.store(batch)
    if sys.argv[4] == "store":
        consumer.commit()
    print(seen, flush=True)
    os.kill(os.getpid(), 9)  # die without a graceful close
""")


def _consume_in_child(settings: Settings, group: str, topic: str, count: int,
                      mode: str) -> int:
    result = subprocess.run(
        [sys.executable, "-c", CONSUME_THEN_DIE, group, topic, str(count), mode],
        env=settings_env(settings), capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == -9, result.stderr
    return int(result.stdout.strip())


def test_unprocessed_batch_is_redelivered_after_kill(settings: Settings,
                                                     kafka_bootstrap: str) -> None:
    topic = f"{settings.topic_prefix}.raw.redelivery"
    create_topics(settings, [topic])
    _produce(settings, topic, 200)
    group = f"{settings.consumer_group_prefix}-redelivery"

    # Killed before storing offsets: nothing was committed, so all 200 come back.
    assert _consume_in_child(settings, group, topic, 200, "no-store") >= 200
    consumer = BatchConsumer(settings, group, [topic], "test")
    try:
        assert len(_drain(consumer, 200)) == 200
    finally:
        consumer.close()


def test_processed_batch_is_not_redelivered(settings: Settings, kafka_bootstrap: str) -> None:
    topic = f"{settings.topic_prefix}.raw.committed"
    create_topics(settings, [topic])
    _produce(settings, topic, 100)
    group = f"{settings.consumer_group_prefix}-committed"

    assert _consume_in_child(settings, group, topic, 100, "store") == 100
    _produce(settings, topic, 10)
    consumer = BatchConsumer(settings, group, [topic], "test")
    try:
        again = _drain(consumer, 10, rounds=15)
    finally:
        consumer.close()
    assert len(again) == 10  # only the new ones


def test_consumer_lag_metric_follows_stored_offsets(settings: Settings,
                                                    kafka_bootstrap: str) -> None:
    from shopflow.runtime.metrics import CONSUMER_LAG

    one_partition = settings.model_copy(update={"topic_partitions": 1})
    topic = f"{settings.topic_prefix}.raw.lag"
    create_topics(one_partition, [topic])
    _produce(settings, topic, 500)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}-lag", [topic],
                             "lagtest")
    try:
        first: list = []
        for _ in range(30):
            first = consumer.poll_batch(max_messages=100, timeout=1.0)
            if first:
                break
        consumer.store(first)
        lag = CONSUMER_LAG.labels("lagtest", topic, "0")._value.get()
        assert lag == 500 - len(first) > 0
        _drain(consumer, 500 - len(first))
        assert CONSUMER_LAG.labels("lagtest", topic, "0")._value.get() == 0
    finally:
        consumer.close()


def test_init_gives_old_topics_the_message_limit_a_whole_record_needs(
        settings: Settings, kafka_bootstrap: str) -> None:
    """Topics made before the 8 MiB limit kept Kafka's 1 MB default: a record near the line
    limit could not be published. `shopflow init` (create_topics() without names) sets it."""
    from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic, ResourceType

    from shopflow.topics import raw_topic, wait_until_led
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    old = raw_topic(settings, "orders")
    admin.create_topics([NewTopic(old, num_partitions=1, replication_factor=1)])[old].result()
    wait_until_led(admin, [old], 1, timeout=30)  # creation returns before the broker knows it

    def limit() -> str:
        resource = ConfigResource(ResourceType.TOPIC, old)
        configs = admin.describe_configs([resource])[resource].result()
        return str(configs["max.message.bytes"].value)

    assert limit() != str(settings.max_message_bytes)
    create_topics(settings)
    assert limit() == str(settings.max_message_bytes)
    producer = EventProducer(settings)
    producer.produce(old, value=b"x" * 3_000_000)
    producer.flush()  # raises DeliveryError if the broker refuses it
