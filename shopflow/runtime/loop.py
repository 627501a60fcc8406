"""The one processing loop every consuming service runs.

poll a batch of messages -> hand it to the service's handler -> store the batch's
offsets, only once the handler returned (the handler returns only after its output is
durable: produced and acknowledged, or committed in the database). A handler error
that is worth retrying (TransientError, or what the service adds to ``retry_on``) is
retried on the SAME batch with one backoff policy until it succeeds or shutdown is
requested; then the batch is left unstored, so it is redelivered. Any other error
stops the loop, carrying where the batch came from.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from confluent_kafka import KafkaException, Message
from tenacity import RetryCallState, Retrying, retry_if_exception_type, wait_exponential

from shopflow.runtime.errors import BatchError, TransientError
from shopflow.runtime.kafka import BatchConsumer
from shopflow.runtime.metrics import BATCH_SECONDS
from shopflow.runtime.shutdown import Shutdown

log = logging.getLogger(__name__)

BatchHandler = Callable[[list[Message]], None]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff from `first_s` up to `max_s`, for as long as the process runs."""

    retry_on: tuple[type[BaseException], ...] = (TransientError,)
    first_s: float = 0.2
    max_s: float = 30.0


class ShutdownDuringRetry(Exception):
    """Shutdown was requested while a batch was being retried; it stays unstored."""


def describe(messages: Sequence[Message]) -> str:
    """topic[partition]@first-last for each partition in the batch."""
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    for msg in messages:
        key, offset = (msg.topic() or "?", msg.partition() or 0), msg.offset() or 0
        low, high = spans.get(key, (offset, offset))
        spans[key] = (min(low, offset), max(high, offset))
    return ", ".join(f"{t}[{p}]@{a}-{b}" for (t, p), (a, b) in sorted(spans.items()))


class ProcessingLoop:
    def __init__(self, consumer: BatchConsumer, handler: BatchHandler, shutdown: Shutdown,
                 policy: RetryPolicy | None = None, *, max_messages: int | None = None,
                 on_cycle: Callable[[], None] | None = None) -> None:
        self._consumer, self._handler, self._shutdown = consumer, handler, shutdown
        self._policy = policy or RetryPolicy()
        self._max_messages = max_messages
        self._on_cycle = on_cycle
        self._retryer = self._retrying()

    def run(self) -> None:
        """Until shutdown; the consumer is closed (stored offsets committed) at the end."""
        try:
            while not self._shutdown.requested:
                self.run_once()
        except ShutdownDuringRetry:
            log.info("shutdown while retrying; the batch will be redelivered")
        finally:
            self._consumer.close()

    def run_once(self) -> int:
        """One poll -> handle -> store cycle; returns how many messages it handled."""
        batch = self._consumer.poll_batch(self._max_messages)
        if batch:
            started = time.monotonic()
            self._handle(batch)
            self._store(batch)
            BATCH_SECONDS.labels(self._consumer.service).observe(time.monotonic() - started)
        if self._on_cycle is not None:
            self._on_cycle()
        return len(batch)

    def _store(self, batch: list[Message]) -> None:
        """Offsets of partitions revoked meanwhile (a consumer that left the group during a
        long outage) cannot be stored: their new owner gets the messages again, which
        identity-keyed writes absorb. That is logged, not fatal."""
        try:
            self._consumer.store(batch)
        except KafkaException as exc:
            log.warning("offsets not stored", extra={"service": self._consumer.service,
                                                     "messages": describe(batch),
                                                     "error": str(exc)})

    def _retrying(self) -> Retrying:
        """One for the loop's life. A Retrying is a reference cycle (it keeps bound methods
        of itself), so one per batch, with the batch in a closure, kept every batch's
        messages until the cyclic garbage collector ran: in the validator about 600
        chunks (50 MB) at a time, which grew its heap (docs/performance.md)."""
        policy = self._policy
        return Retrying(
            retry=retry_if_exception_type(policy.retry_on),
            wait=wait_exponential(multiplier=policy.first_s, max=policy.max_s),
            stop=lambda _state: self._shutdown.requested,
            sleep=self._sleep,
            before_sleep=self._log_retry,
            reraise=True,
        )

    def _handle(self, batch: list[Message]) -> None:
        try:
            self._retryer(self._handler, batch)
        except self._policy.retry_on as exc:  # only reached once shutdown was requested
            raise ShutdownDuringRetry(str(exc)) from exc
        except BatchError:
            raise
        except Exception as exc:
            raise BatchError(f"{type(exc).__name__}: {exc}", where=describe(batch)) from exc

    def _sleep(self, seconds: float) -> None:
        self._shutdown.wait(seconds)  # wakes up at once on SIGTERM

    def _log_retry(self, state: RetryCallState) -> None:
        batch: list[Message] = state.args[0]  # _handle calls the handler with the batch
        exc = state.outcome.exception() if state.outcome else None
        log.warning("batch failed, retrying", extra={
            "service": self._consumer.service, "attempt": state.attempt_number,
            "messages": describe(batch), "error": str(exc).strip()[:300]})
