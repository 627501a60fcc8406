"""The loader: one database transaction per message batch.

It runs as the handler of the one processing loop (shopflow.runtime.loop), which
stores the batch's offsets only after ``handle`` returned, i.e. after the commit.
Transient database errors (connection refused or lost, admin shutdown, the server
starting up, deadlocks, serialization failures) become ``TransientError`` once a
broken connection is closed: the loop's backoff policy applies the same batch again
on a new connection. Records the database refuses (data errors, integrity violations)
never reach here: staging isolates them and the loader produces them as dead letters
before committing (decision 0056). Any other database error (a missing table, a
permission) is a ``BatchLoadError``, which stops the loop and the process, naming the
batch's offsets (decision 0024).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import psycopg
from confluent_kafka import Message

from contracts import ENTITIES
from shopflow.load.messages import MessageSorter, SortedBatch
from shopflow.load.outbox import publish_pending
from shopflow.load.refusals import Refusal, publish_refusals
from shopflow.load.staging import StagingTable, staging_tables
from shopflow.load.transaction import DeadLetterRecorder, LoadResult, apply_batch
from shopflow.runtime.errors import BatchError, ShopflowError, TransientError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.loop import describe
from shopflow.runtime.metrics import RECORDS_IN, RECORDS_OUT, RECORDS_REJECTED
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, entity_of

log = logging.getLogger(__name__)
SERVICE = "loader"
ROLLED_BACK = (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure)


class BatchLoadError(BatchError):
    """The database refused a message batch for a reason retrying will not fix."""


def is_transient(exc: BaseException) -> bool:
    # OperationalError covers lost/refused connections, SQLSTATE classes 08, 40
    # (deadlock, serialization), 53 (resources) and 57 (admin shutdown, starting up).
    return isinstance(exc, psycopg.OperationalError)


class Loader:
    def __init__(self, settings: Settings, record_dead_letters: DeadLetterRecorder,
                 producer: EventProducer | None = None) -> None:
        self.settings = settings
        self._producer = producer  # dead letters of refused records (made when first needed)
        self._url = settings.database_url_for(SERVICE)
        self._record_dead_letters = record_dead_letters
        self._control_topic = control_topic(settings)
        self._sorter = MessageSorter(settings)
        self._conn: psycopg.Connection | None = None
        self._tables: dict[str, StagingTable] | None = None
        self._sorted: tuple[Sequence[Message], SortedBatch] | None = None
        self.completed_since_publish = False  # a batch completed; its event awaits publishing

    # ---------------------------------------------------------------- connection
    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            conn = psycopg.connect(self._url, autocommit=True, connect_timeout=5,
                                   application_name=f"shopflow-{SERVICE}")
            try:
                if self._tables is None:
                    self._tables = staging_tables(conn, ENTITIES)
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

    # ------------------------------------------------------------------- loading
    def handle(self, messages: list[Message]) -> None:
        """The processing loop's handler: returns once the batch's transaction committed."""
        self.load(messages)

    def load(self, messages: Sequence[Message]) -> LoadResult:
        """Apply one message batch in one transaction; TransientError or BatchLoadError."""
        batch = self._sort(messages)
        try:
            conn = self._connection()
            assert self._tables is not None
            result = apply_batch(conn, self._tables, batch, self._record_dead_letters,
                                 self._control_topic, self._publish_refusals)
        except psycopg.OperationalError as exc:
            log.warning("database unavailable, retrying", extra={
                "error": str(exc).strip()[:300], "messages": describe(messages)})
            if not isinstance(exc, ROLLED_BACK):  # the connection itself is fine after these
                self.close()
            raise TransientError(f"{type(exc).__name__}: {exc}") from exc
        except psycopg.Error as exc:
            raise BatchLoadError(f"{type(exc).__name__}: {exc}",
                                 where=describe(messages)) from exc
        self._sorted = None
        for entity, inserted in result.inserted_by_entity().items():
            RECORDS_OUT.labels(SERVICE, entity).inc(inserted)
        for refused in result.refused:
            RECORDS_REJECTED.labels(SERVICE, refused.chunk.origin.entity,
                                    "refused_by_database").inc()
        for event in result.completed:
            log.info("batch completed", extra={"batch_id": event.batch_id,
                                                "sequence": event.sequence,
                                                "loaded": event.loaded,
                                                "rejected": event.rejected})
        if result.completed:
            self.completed_since_publish = True
        return result

    def _publish_refusals(self, refusals: Sequence[Refusal]) -> None:
        if self._producer is None:
            self._producer = EventProducer(self.settings)
        publish_refusals(self._producer, self.settings, refusals)

    def _sort(self, messages: Sequence[Message]) -> SortedBatch:
        """Check and sort the batch once; a retry of the same batch reuses the result."""
        if self._sorted is not None and self._sorted[0] is messages:
            return self._sorted[1]
        batch = self._sorter.sort(messages)
        for entity, records in batch.records_by_entity().items():
            RECORDS_IN.labels(SERVICE, entity).inc(records)
        for error in batch.unusable:
            log.error("message skipped: %s", error)
            RECORDS_REJECTED.labels(SERVICE, entity_of(error.topic or "?"), "unloadable").inc()
        self._sorted = (messages, batch)
        return batch

    def publish_outbox(self, producer: EventProducer) -> int:
        """Publish unsent events; a failure is logged and left for the next call."""
        self.completed_since_publish = False
        try:
            return publish_pending(self._connection(), producer)
        except (psycopg.Error, ShopflowError) as exc:
            log.warning("outbox not published yet", extra={"error": str(exc)[:300]})
            if isinstance(exc, psycopg.OperationalError):
                self.close()
            return 0
