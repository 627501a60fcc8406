"""The transformer's event handling: what is built, announced, skipped and retried."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from services.transformer.app import InOrder
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


def test_a_retried_batch_does_not_build_again_what_it_built_before_the_failure() -> None:
    calls: list[str] = []
    failures = {"b2": 1}

    def builder(request: BuildRequest) -> BuildResult:
        calls.append(request.batch_id or "")
        if failures.get(request.batch_id or "", 0) > 0:
            failures[request.batch_id or ""] -= 1
            raise BuildFailed("database down", build_id=None)
        return BuildResult(1, "succeeded", 0.1, [], {})

    in_order = InOrder(handler_with(builder, FakeProducer()))
    messages = [message(completed("b1"), 10), message(completed("b2"), 11),
                message(completed("b3"), 12), message(completed("b4"), 4, partition=1)]
    with pytest.raises(MessageError, match="offset=11"):
        in_order(messages)  # type: ignore[arg-type]
    assert calls == ["b1", "b2"]
    in_order(messages)  # type: ignore[arg-type]  # the loop retries the same batch
    assert calls == ["b1", "b2", "b2", "b3", "b4"]
    in_order([message(completed("b1"), 10)])  # type: ignore[list-item]  # a redelivery
    assert calls[-1] == "b1"


def test_a_build_failing_with_the_database_up_is_given_up_after_max_attempts() -> None:
    calls: list[str] = []

    def builder(request: BuildRequest) -> BuildResult:
        calls.append(request.batch_id or "")
        if request.batch_id == "b1":
            raise BuildFailed("division by zero", build_id=40 + len(calls))
        return BuildResult(1, "succeeded", 0.1, [], {})

    handler = handler_with(builder, FakeProducer())
    given_up: list[tuple[int | None, int]] = []
    handler.give_up = lambda failure, attempts: given_up.append(  # type: ignore[method-assign]
        (failure.build_id, attempts))
    in_order = InOrder(handler, max_attempts=3)
    batch = [message(completed("b1"), 10), message(completed("b2"), 11)]
    for _ in range(2):
        with pytest.raises(MessageError):
            in_order(batch)  # type: ignore[arg-type]
    in_order(batch)  # type: ignore[arg-type]  # third attempt: given up, b2 goes on
    assert calls == ["b1", "b1", "b1", "b2"] and given_up == [(43, 3)]


def test_an_unreachable_database_is_waited_for_without_limit() -> None:
    def builder(request: BuildRequest) -> BuildResult:
        raise BuildFailed("database unreachable", build_id=None)

    handler = handler_with(builder, FakeProducer())
    handler.give_up = lambda *_: pytest.fail("gave up")  # type: ignore[method-assign]
    in_order = InOrder(handler, max_attempts=2)
    for _ in range(5):
        with pytest.raises(MessageError):
            in_order([message(completed("b1"), 10)])  # type: ignore[list-item]
