"""Wiring of the transformer service: control topic -> warehouse builds -> WarehouseBuilt.

Consumes `<prefix>.control.batches` in group `<group prefix>.transformer` through the
shared processing loop: a batch's offsets are stored only after every build in it
committed and its WarehouseBuilt was acked. A failed build is retried by the loop's
backoff policy on the same batch; events already handled in that batch are not built
again, so nothing is skipped and nothing is done twice.
"""

from __future__ import annotations

import logging

from confluent_kafka import Message

from services.transformer.handler import BuildHandler
from shopflow.db.connect import connect
from shopflow.runtime.errors import ShopflowError
from shopflow.runtime.kafka import BatchConsumer, EventProducer
from shopflow.runtime.loop import ProcessingLoop, RetryPolicy
from shopflow.runtime.service import ServiceContext
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, create_topics
from shopflow.warehouse import BuildFailed
from shopflow.warehouse.after_build import DbtAfterBuild

log = logging.getLogger(__name__)
SERVICE = "transformer"
# A failed build (ShopflowError: BuildFailed, or the broker not acking WarehouseBuilt) is
# retried with backoff up to a minute apart; the failure is recorded in ops.builds.
BUILD_RETRY = RetryPolicy(retry_on=(ShopflowError,), first_s=1.0, max_s=60.0)


def main(context: ServiceContext) -> None:
    settings = context.settings
    context.health_checks["database"] = lambda: database_reachable(settings)
    topic = control_topic(settings)
    create_topics(settings, [topic])
    producer = EventProducer(settings)
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.{SERVICE}", [topic],
                             SERVICE)
    after_build = (DbtAfterBuild(settings.database_url_for(SERVICE),
                                 docs_dir=settings.dbt_docs_dir)
                   if settings.dbt_models_after_build else None)
    batch_handler = InOrder(BuildHandler(settings, producer, after_build=after_build),
                            max_attempts=settings.build_max_attempts)
    ProcessingLoop(consumer, batch_handler, context.shutdown, BUILD_RETRY,
                   max_messages=100).run()


class InOrder:
    """Handles a batch's events in order; when the loop retries the batch after a failure,
    the events before the failed one are not handled again.

    A build that keeps failing while the database answers (the failure is recorded) is
    given up after `max_attempts`: the build row says so, the BuildFailed alert fires, and
    later batches are built (docs/operations.md). A database that does not answer is
    waited for without limit: giving up then would skip batches that can be built."""

    def __init__(self, handler: BuildHandler, max_attempts: int = 8) -> None:
        self._handler = handler
        self._max_attempts = max_attempts
        self._done: set[tuple[str | None, int | None, int | None]] = set()
        self._failures: dict[tuple[str | None, int | None, int | None], int] = {}

    def __call__(self, messages: list[Message]) -> None:
        for msg in messages:
            where = (msg.topic(), msg.partition(), msg.offset())
            if where in self._done:
                continue
            try:
                self._handler.handle(msg)
            except ShopflowError as exc:
                attempts = self._failures.get(where, 0) + 1
                self._failures[where] = attempts
                failed_build = recorded_build_failure(exc)
                if failed_build is None or attempts < self._max_attempts:
                    log.error("build failed; the event will be retried",
                              extra={"topic": where[0], "partition": where[1],
                                     "offset": where[2], "attempt": attempts,
                                     "error": str(exc)})
                    raise
                self._handler.give_up(failed_build, attempts)
            self._failures.pop(where, None)
            self._done.add(where)
        self._done.clear()  # the batch is done: a later redelivery is handled again


def recorded_build_failure(exc: BaseException) -> BuildFailed | None:
    """The BuildFailed behind a handler error, when the failure was recorded (the database
    answered); None for anything else (broker, database unreachable)."""
    cause = exc.__cause__
    if isinstance(cause, BuildFailed) and cause.build_id is not None:
        return cause
    return None


def database_reachable(settings: Settings) -> bool:
    try:
        with connect(settings.database_url_for("transformer")) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False
