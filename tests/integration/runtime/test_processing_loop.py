"""shopflow.runtime.loop.ProcessingLoop on the real broker: a batch's offsets are stored only
once its handler returned; a TransientError retries the SAME batch; any other error stops
the loop with a BatchError naming topic[partition]@offsets; a shutdown during retries
leaves the batch uncommitted, so it is redelivered."""

from __future__ import annotations

import gc
import sys
import time

import pytest
from confluent_kafka import Consumer, Message, TopicPartition

from shopflow.runtime.errors import BatchError, TransientError
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.loop import ProcessingLoop, RetryPolicy
from shopflow.runtime.settings import Settings
from shopflow.runtime.shutdown import Shutdown
from shopflow.topics import create_topics
from tests.integration.ingestor.support import wait_until

pytestmark = pytest.mark.integration

FAST = RetryPolicy(first_s=0.01, max_s=0.05)
Seen = list[tuple[int, int]]  # (partition, offset) of each message of a batch


def make_topic(settings: Settings, name: str, count: int, partitions: int = 1) -> str:
    topic = f"{settings.topic_prefix}.raw.{name}"
    create_topics(settings.model_copy(update={"topic_partitions": partitions}), [topic])
    time.sleep(1)  # leadership of the new partitions
    producer = EventProducer(settings)
    for i in range(count):
        producer.produce(topic, f"v{i}".encode(), f"k{i}")
    producer.flush()
    return topic


def committed(settings: Settings, group: str, topic: str, partitions: int = 1) -> list[int]:
    """The group's committed offset per partition (negative: nothing committed)."""
    reader = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": group,
                       "enable.auto.commit": False})
    try:
        parts = [TopicPartition(topic, p) for p in range(partitions)]
        return [tp.offset for tp in reader.committed(parts, timeout=10)]
    finally:
        reader.close()


def seen(batch: list[Message]) -> Seen:
    return [(m.partition() or 0, m.offset() or 0) for m in batch]


def consumer_for(settings: Settings, group: str, topic: str) -> BatchConsumer:
    return BatchConsumer(settings, group, [topic], "looptest")


def first_offsets_redelivered(settings: Settings, group: str, topic: str) -> Seen:
    """What a new member of the group gets first (the group's resume point)."""
    consumer = consumer_for(settings, group, topic)
    try:
        for _ in range(60):
            batch = consumer.poll_batch(timeout=0.5)
            if batch:
                return seen(batch)
        raise AssertionError("nothing redelivered")
    finally:
        consumer.raw.close()  # without committing anything


def run_until(loop: ProcessingLoop, handled: list[Seen], count: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while sum(len(b) for b in handled) < count:
        assert time.monotonic() < deadline, f"only {handled} handled"
        loop.run_once()


def test_offsets_are_stored_only_after_the_handler_returned(
        settings: Settings, kafka_bootstrap: str) -> None:
    topic = make_topic(settings, "loopstore", 30)
    group = f"{settings.consumer_group_prefix}.loopstore"
    consumer = consumer_for(settings, group, topic)
    handled: list[Seen] = []
    during: list[int] = []

    def handler(batch: list[Message]) -> None:
        consumer.commit()  # commits whatever is stored so far: nothing of this batch
        during.append(committed(settings, group, topic)[0])
        handled.append(seen(batch))

    loop = ProcessingLoop(consumer, handler, Shutdown(), FAST, max_messages=7)
    try:
        run_until(loop, handled, 30)
        consumer.commit()
        assert committed(settings, group, topic) == [30]
    finally:
        consumer.close()
    assert [o for batch in handled for _, o in batch] == list(range(30))
    assert len(handled) >= 5 and all(len(b) <= 7 for b in handled)
    ends_before = [-1] + [batch[-1][1] for batch in handled[:-1]]
    assert during[0] < 0  # nothing committed while the first batch was being handled
    assert during[1:] == [end + 1 for end in ends_before[1:]]  # only the batches before


def test_a_transient_error_retries_the_same_batch(
        settings: Settings, kafka_bootstrap: str) -> None:
    topic = make_topic(settings, "looptransient", 20)
    group = f"{settings.consumer_group_prefix}.looptransient"
    consumer = consumer_for(settings, group, topic)
    calls: list[Seen] = []

    def handler(batch: list[Message]) -> None:
        calls.append(seen(batch))
        if len(calls) <= 2:
            raise TransientError("broker briefly away")

    loop = ProcessingLoop(consumer, handler, Shutdown(), FAST, max_messages=8)
    try:
        wait_until(lambda: loop.run_once() > 0, 30, "a first batch")
        assert len(calls) == 3 and calls[0] == calls[1] == calls[2]  # the same batch, again
        consumer.commit()
        assert committed(settings, group, topic) == [calls[0][-1][1] + 1]
        wait_until(lambda: loop.run_once() > 0, 30, "a second batch")
        assert calls[3][0][1] == calls[0][-1][1] + 1  # then the next messages, once
    finally:
        consumer.close()


def test_a_handled_batch_is_not_kept_alive_by_the_loop(
        settings: Settings, kafka_bootstrap: str) -> None:
    """Nothing the loop builds around a batch (its retries) may still hold the batch once
    it was handled: a reference cycle would keep its messages until the cyclic garbage
    collector ran, and a service's heap grew with the batches waiting for it."""
    topic = make_topic(settings, "loopkeep", 6)
    consumer = consumer_for(settings, f"{settings.consumer_group_prefix}.loopkeep", topic)
    kept: list[list[Message]] = []

    def handler(batch: list[Message]) -> None:
        kept.append(batch)
        if len(kept) == 1:
            raise TransientError("once, so that the retry machinery sees the batch too")

    loop = ProcessingLoop(consumer, handler, Shutdown(), FAST)
    gc.disable()  # only plain references count: nothing is freed behind the test's back
    try:
        wait_until(lambda: loop.run_once() > 0, 30, "a first batch")
        assert len(kept) == 2 and kept[0] is kept[1]
        batch = kept.pop()
        # `kept`, `batch` and getrefcount's argument: nothing else holds it
        assert sys.getrefcount(batch) == 3
    finally:
        gc.enable()
        consumer.close()


def test_any_other_error_stops_the_loop_with_where_the_batch_came_from(
        settings: Settings, kafka_bootstrap: str) -> None:
    topic = make_topic(settings, "loopfatal", 40, partitions=2)
    group = f"{settings.consumer_group_prefix}.loopfatal"
    consumer = consumer_for(settings, group, topic)
    calls: list[Seen] = []

    def handler(batch: list[Message]) -> None:
        calls.append(seen(batch))
        raise ValueError("a bug in the handler")

    with pytest.raises(BatchError) as caught:
        ProcessingLoop(consumer, handler, Shutdown(), FAST).run()
    [batch] = calls  # not retried
    spans = []
    for partition in sorted({p for p, _ in batch}):
        offsets = [o for p, o in batch if p == partition]
        spans.append(f"{topic}[{partition}]@{min(offsets)}-{max(offsets)}")
    assert caught.value.where == ", ".join(spans)
    assert "ValueError: a bug in the handler" in str(caught.value)
    assert isinstance(caught.value.__cause__, ValueError)
    assert all(offset < 0 for offset in committed(settings, group, topic, 2))
    firsts: dict[int, int] = {}
    for partition, offset in first_offsets_redelivered(settings, group, topic):
        firsts.setdefault(partition, offset)
    assert firsts and set(firsts.values()) == {0}  # redelivered from the start


def test_shutdown_during_retries_leaves_the_batch_uncommitted(
        settings: Settings, kafka_bootstrap: str) -> None:
    topic = make_topic(settings, "loopshutdown", 20)
    group = f"{settings.consumer_group_prefix}.loopshutdown"
    consumer = consumer_for(settings, group, topic)
    shutdown = Shutdown()
    calls: list[Seen] = []

    def handler(batch: list[Message]) -> None:
        calls.append(seen(batch))
        if len(calls) == 1:
            return  # the first batch goes through and is stored
        if len(calls) == 4:
            shutdown.request("test")
        raise TransientError("database down")

    started = time.monotonic()
    ProcessingLoop(consumer, handler, shutdown, RetryPolicy(first_s=0.05, max_s=5),
                   max_messages=5).run()  # returns: a shutdown is not an error
    assert time.monotonic() - started < 20
    assert len(calls) == 4 and calls[1] == calls[2] == calls[3]
    first_end = calls[0][-1][1]
    assert committed(settings, group, topic) == [first_end + 1]  # the failing batch: not
    assert first_offsets_redelivered(settings, group, topic)[0] == calls[1][0]
