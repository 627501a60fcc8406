"""What the transformer does with one control event: build on BatchCompleted, announce."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from confluent_kafka import Message
from pydantic import ValidationError

from shopflow.db.connect import connect
from shopflow.events import BatchCompleted, WarehouseBuilt, decode_event, encode_event
from shopflow.runtime.errors import MessageError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.metrics import BATCH_SECONDS, BUILD_SECONDS, BUILDS_GIVEN_UP
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic
from shopflow.warehouse import BuildFailed, BuildRequest, BuildResult, run_build

log = logging.getLogger(__name__)

Builder = Callable[[BuildRequest], BuildResult]
AfterBuild = Callable[[BuildResult], object]


def build_request(event: BatchCompleted) -> BuildRequest:
    return BuildRequest(batch_id=event.batch_id, sequence=event.sequence,
                        dates=tuple(date.fromisoformat(d) for d in event.dates),
                        trigger="batch_completed")


def built_event(batch_id: str, result: BuildResult) -> WarehouseBuilt:
    return WarehouseBuilt(batch_id=batch_id, build_id=result.build_id, status=result.status,
                          seconds=result.seconds, stats=result.stats)


class BuildHandler:
    """Builds the warehouse for each BatchCompleted and emits WarehouseBuilt.

    Raises MessageError when the build failed, so the caller leaves the event
    unacknowledged and retries it; other control events are ignored.
    """

    def __init__(self, settings: Settings, producer: EventProducer,
                 builder: Builder | None = None, after_build: AfterBuild | None = None) -> None:
        self._topic = control_topic(settings)
        self._producer = producer
        url = self._url = settings.database_url_for("transformer")
        fiscal = settings.fiscal_year_start_month
        self._build = builder or (
            lambda request: run_build(url, request, fiscal_start_month=fiscal))
        self._after_build = after_build

    def give_up(self, failure: BuildFailed, attempts: int) -> None:
        """Stop retrying a build: say so on its ops.builds row, count it, log it."""
        BUILDS_GIVEN_UP.inc()
        note = (f"gave up after {attempts} attempts; later batches are built; rebuild this"
                f" batch with `shopflow transform --batch ID` once the cause is fixed")
        with connect(self._url) as conn:
            conn.execute("UPDATE ops.builds SET error = %s || E'\\n' || coalesce(error, '')"
                         " WHERE build_id = %s", (note, failure.build_id))
        log.error("build given up", extra={"build_id": failure.build_id, "attempts": attempts,
                                           "error": str(failure)})

    def handle(self, msg: Message) -> WarehouseBuilt | None:
        topic, partition, offset = msg.topic(), msg.partition(), msg.offset()
        where = {"topic": topic, "partition": partition, "offset": offset}
        try:
            event = decode_event(msg.value() or b"")
        except (ValueError, ValidationError) as exc:
            log.warning("control event skipped: unreadable", extra={**where, "error": str(exc)})
            return None
        if not isinstance(event, BatchCompleted):
            return None
        try:
            result = self._build(build_request(event))
        except BuildFailed as exc:
            raise MessageError(f"build for batch {event.batch_id} failed: {exc}",
                               topic=topic, partition=partition, offset=offset) from exc
        if not result.reused:
            BATCH_SECONDS.labels("transformer").observe(result.seconds)
            BUILD_SECONDS.labels(result.status).observe(result.seconds)
            if self._after_build is not None:
                self._after_build(result)
        built = built_event(event.batch_id, result)
        self._producer.produce(self._topic, encode_event(built), key=event.batch_id)
        self._producer.flush()
        log.info("batch built", extra={**where, "batch_id": event.batch_id,
                                       "build_id": result.build_id, "status": result.status,
                                       "reused": result.reused})
        return built
