"""The transformer's event handling: what is built, announced, skipped and retried."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from services.transformer.app import handle_messages
from services.transformer.handler import BuildHandler
from shopflow.events import (
    BatchCompleted,
    BatchPublished,
    WarehouseBuilt,
    decode_event,
    encode_event,
)
from shopflow.runtime.errors import MessageError
from shopflow.runtime.settings import Settings
from shopflow.warehouse import BuildFailed, BuildRequest, BuildResult


@dataclass
class FakeMessage:
    payload: bytes
    offset_: int
    partition_: int = 0

    def value(self) -> bytes:
        return self.payload

    def topic(self) -> str:
        return "p.control.batches"

    def partition(self) -> int:
        return self.partition_

    def offset(self) -> int:
        return self.offset_


@dataclass
class FakeProducer:
    sent: list[tuple[str, bytes, str]] = field(default_factory=list)

    def produce(self, topic: str, value: bytes, key: str) -> None:
        self.sent.append((topic, value, key))

    def flush(self) -> None:
        return None


@dataclass
class FakeConsumer:
    stored: list[int] = field(default_factory=list)
    seeks: list[tuple[str, int, int]] = field(default_factory=list)

    def store(self, messages: list[FakeMessage]) -> None:
        self.stored.extend(m.offset() for m in messages)

    @property
    def raw(self) -> FakeConsumer:
        return self

    def seek(self, tp: object) -> None:
        self.seeks.append((tp.topic, tp.partition, tp.offset))  # type: ignore[attr-defined]


def completed(batch_id: str, sequence: int = 1) -> bytes:
    return encode_event(BatchCompleted(batch_id=batch_id, sequence=sequence, loaded=1,
                                       rejected=0, dates=["2026-01-03"]))


def message(payload: bytes, offset: int, partition: int = 0) -> Any:
    return FakeMessage(payload, offset, partition)


def handler_with(builder: Any, producer: FakeProducer) -> BuildHandler:
    return BuildHandler(Settings(topic_prefix="p"), producer, builder)  # type: ignore[arg-type]


def test_batch_completed_builds_that_batch_and_announces_it() -> None:
    requests: list[BuildRequest] = []

    def builder(request: BuildRequest) -> BuildResult:
        requests.append(request)
        return BuildResult(7, "succeeded", 1.5, [date(2026, 1, 3)], {"dates": 1})

    producer = FakeProducer()
    built = handler_with(builder, producer).handle(message(completed("b1", 2), 5))
    assert requests == [BuildRequest(batch_id="b1", sequence=2, dates=(date(2026, 1, 3),),
                                     trigger="batch_completed")]
    assert isinstance(built, WarehouseBuilt) and built.build_id == 7
    (topic, value, key), = producer.sent
    assert (topic, key) == ("p.control.batches", "b1")
    assert decode_event(value) == built


def test_other_and_unreadable_events_are_skipped() -> None:
    producer = FakeProducer()
    handler = handler_with(lambda request: pytest.fail("nothing to build"), producer)
    published = encode_event(BatchPublished(batch_id="b1", files_published=1, records=3))
    assert handler.handle(message(published, 1)) is None
    assert handler.handle(message(b"{not json", 2)) is None
    assert producer.sent == []


def test_a_failed_build_is_a_message_error_with_its_offset() -> None:
    def builder(request: BuildRequest) -> BuildResult:
        raise BuildFailed("boom", build_id=3)

    with pytest.raises(MessageError, match="offset=9"):
        handler_with(builder, FakeProducer()).handle(message(completed("b1"), 9))


def test_after_a_failure_the_partitions_rewind_and_nothing_later_is_stored() -> None:
    calls: list[str] = []

    def builder(request: BuildRequest) -> BuildResult:
        calls.append(request.batch_id or "")
        if request.batch_id == "b2":
            raise BuildFailed("database down", build_id=None)
        return BuildResult(1, "succeeded", 0.1, [], {})

    consumer = FakeConsumer()
    handler = handler_with(builder, FakeProducer())
    messages = [message(completed("b1"), 10), message(completed("b2"), 11),
                message(completed("b3"), 12), message(completed("b4"), 4, partition=1)]
    assert handle_messages(consumer, handler, messages) is False  # type: ignore[arg-type]
    assert calls == ["b1", "b2"]
    assert consumer.stored == [10]
    assert sorted(consumer.seeks) == [("p.control.batches", 0, 11), ("p.control.batches", 1, 4)]
