"""The loader: one database transaction per message batch, retried through outages.

Transient database errors (connection refused or lost, admin shutdown, the
server starting up, deadlocks) are retried with backoff for as long as the
process is not shutting down; the connection is rebuilt and the whole message
batch is applied again. Nothing is acknowledged to Kafka until a transaction
commits, so a failure at any point means redelivery, which the provenance keys
absorb.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TypeVar

import psycopg
from confluent_kafka import Message
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential

from contracts import ENTITIES
from shopflow.load.messages import MessageSorter, SortedBatch
from shopflow.load.outbox import publish_pending
from shopflow.load.staging import StagingTable, create_temp_tables, staging_tables
from shopflow.load.transaction import DeadLetterRecorder, LoadResult, apply_batch
from shopflow.runtime.errors import ShopflowError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.metrics import RECORDS_IN, RECORDS_OUT, RECORDS_REJECTED
from shopflow.runtime.settings import Settings
from shopflow.runtime.shutdown import Shutdown
from shopflow.topics import control_topic, entity_of

log = logging.getLogger(__name__)
T = TypeVar("T")
SERVICE = "loader"
ROLLED_BACK = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)


class BatchLoadError(ShopflowError):
    """The database refused a message batch for a reason retrying will not fix."""


def is_transient(exc: BaseException) -> bool:
    # OperationalError covers lost/refused connections, SQLSTATE classes 08, 40
    # (deadlock, serialization), 53 (resources) and 57 (admin shutdown, starting up).
    return isinstance(exc, psycopg.OperationalError)


def describe(messages: Sequence[Message]) -> str:
    """topic[partition]@first-last for each partition in the batch."""
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    for msg in messages:
        key, offset = (msg.topic() or "?", msg.partition() or 0), msg.offset() or 0
        low, high = spans.get(key, (offset, offset))
        spans[key] = (min(low, offset), max(high, offset))
    return ", ".join(f"{t}[{p}]@{a}-{b}" for (t, p), (a, b) in sorted(spans.items()))


class Loader:
    def __init__(self, settings: Settings, record_dead_letters: DeadLetterRecorder,
                 shutdown: Shutdown | None = None) -> None:
        self.settings = settings
        self._url = settings.database_url_for(SERVICE)
        self._record_dead_letters = record_dead_letters
        self._shutdown = shutdown or Shutdown()
        self._control_topic = control_topic(settings)
        self._conn: psycopg.Connection | None = None
        self._tables: dict[str, StagingTable] | None = None
        self._message_sorter: MessageSorter | None = None

    # ---------------------------------------------------------------- connection
    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=5,
                                   application_name=f"shopflow-{SERVICE}")
            try:
                if self._tables is None:
                    self._tables = staging_tables(conn, ENTITIES)
                create_temp_tables(conn, list(self._tables.values()))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def database_reachable(self) -> bool:
        with psycopg.connect(self._url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True

    # ------------------------------------------------------------------ retrying
    def retrying(self, work: Callable[[], T]) -> T:
        retryer = Retrying(
            retry=retry_if_exception(is_transient),
            wait=wait_exponential(multiplier=0.2, max=2),
            stop=lambda _state: self._shutdown.requested,
            sleep=self._sleep,
            before_sleep=self._on_transient_error,
            reraise=True,
        )
        return retryer(work)

    def _sleep(self, seconds: float) -> None:
        self._shutdown.wait(seconds)  # wakes up at once on SIGTERM

    def _on_transient_error(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        log.warning("database unavailable, retrying", extra={
            "attempt": state.attempt_number, "error": str(exc).strip()[:300]})
        if not isinstance(exc, ROLLED_BACK):  # the connection itself is fine after these
            self.close()

    # ------------------------------------------------------------------- loading
    def load(self, messages: Sequence[Message]) -> LoadResult:
        """Apply one message batch; returns only after its transaction committed."""
        try:
            sorter = self.retrying(self._sorter)
            batch = self._sort(sorter, messages)
            result = self.retrying(lambda: self._apply(batch))
        except psycopg.Error as exc:
            if is_transient(exc):
                raise  # only when shutting down: the batch stays unacknowledged
            raise BatchLoadError(f"{type(exc).__name__}: {exc} ({describe(messages)})") from exc
        for entity, inserted in result.inserted_by_entity().items():
            RECORDS_OUT.labels(SERVICE, entity).inc(inserted)
        for event in result.completed:
            log.info("batch completed", extra={"batch_id": event.batch_id,
                                                "sequence": event.sequence,
                                                "loaded": event.loaded,
                                                "rejected": event.rejected})
        return result

    def _sorter(self) -> MessageSorter:
        if self._message_sorter is None:
            self._connection()  # learns the staging columns
            assert self._tables is not None
            columns = {e: t.data_columns for e, t in self._tables.items()}
            self._message_sorter = MessageSorter(self.settings, columns)
        return self._message_sorter

    def _apply(self, batch: SortedBatch) -> LoadResult:
        conn = self._connection()
        assert self._tables is not None
        return apply_batch(conn, self._tables, batch, self._record_dead_letters,
                           self._control_topic)

    @staticmethod
    def _sort(sorter: MessageSorter, messages: Sequence[Message]) -> SortedBatch:
        batch = sorter.sort(messages)
        for entity, rows in batch.rows.items():
            RECORDS_IN.labels(SERVICE, entity).inc(len(rows))
        for error in batch.unusable:
            log.error("message skipped: %s", error)
            RECORDS_REJECTED.labels(SERVICE, entity_of(error.topic or "?"), "unloadable").inc()
        return batch

    def publish_outbox(self, producer: EventProducer) -> int:
        """Publish unsent events; a failure is logged and left for the next call."""
        try:
            return publish_pending(self._connection(), producer)
        except (psycopg.Error, ShopflowError) as exc:
            log.warning("outbox not published yet", extra={"error": str(exc)[:300]})
            if isinstance(exc, psycopg.OperationalError):
                self.close()
            return 0
