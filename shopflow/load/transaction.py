"""Everything one message batch does to the database, in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import psycopg
from confluent_kafka import Message

from contracts.chunk import FileKey
from shopflow.events import BatchCompleted
from shopflow.load import ledger
from shopflow.load.completion import complete_batches
from shopflow.load.days import FileLoad
from shopflow.load.messages import SortedBatch, ValidChunk
from shopflow.load.refusals import Refusal
from shopflow.load.staging import StagingTable, entity_order, insert_chunks

# Records dead letters; returns the new rejections per (batch_id, source_file).
DeadLetterRecorder = Callable[[psycopg.Connection, Sequence[Message]], Mapping[FileKey, int]]
# Produces the records the database refused as dead letters and waits for the broker's
# acknowledgement (raises, e.g. DeliveryError, if it does not come).
RefusalPublisher = Callable[[Sequence[Refusal]], None]


@dataclass
class LoadResult:
    loads: list[FileLoad] = field(default_factory=list)
    rejected: dict[FileKey, int] = field(default_factory=dict)  # new dead letters
    resolved: dict[FileKey, int] = field(default_factory=dict)  # dead letters now loaded
    completed: list[BatchCompleted] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)  # records now dead letters

    def inserted_by_entity(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for load in self.loads:
            totals[load.entity] = totals.get(load.entity, 0) + load.inserted
        return totals


def touched_batches(batch: SortedBatch, loads: Sequence[FileLoad]) -> set[str]:
    touched = {load.batch_id for load in loads}
    touched.update(event.batch_id for event in batch.control)
    touched.update(batch.dead_letter_batches)
    return touched


def write_staging(conn: psycopg.Connection, tables: Mapping[str, StagingTable],
                  chunks: Mapping[str, Sequence[ValidChunk]]
                  ) -> tuple[list[FileLoad], list[Refusal]]:
    """One statement per entity, orders before order lines (their dates); the records
    the database refused."""
    loads: list[FileLoad] = []
    refused: list[Refusal] = []
    for entity in entity_order(list(chunks)):
        entity_loads, entity_refused = insert_chunks(conn, tables[entity], chunks[entity])
        loads.extend(entity_loads)
        refused.extend(entity_refused)
    return loads, refused


def apply_batch(conn: psycopg.Connection, tables: Mapping[str, StagingTable],
                batch: SortedBatch, record_dead_letters: DeadLetterRecorder,
                control_topic: str, publish_refusals: RefusalPublisher) -> LoadResult:
    """Staging rows first (the heavy part runs unlocked), the refused records out as dead
    letters (acknowledged before the commit: a crash in between redoes both), then the
    ledger under batch locks."""
    result = LoadResult()
    with conn.transaction():
        result.loads, result.refused = write_staging(conn, tables, batch.chunks)
        if result.refused:
            publish_refusals(result.refused)
        batch_ids = ledger.lock_batches(conn, touched_batches(batch, result.loads))
        if batch.dead_letters:
            result.rejected = dict(record_dead_letters(conn, batch.dead_letters))
        entities = {load.entity for load in result.loads} | batch.dead_letter_entities
        result.resolved = ledger.resolve_loaded_letters(conn, tables, entities, batch_ids)
        ledger.apply_control_events(conn, batch.control)
        ledger.add_file_counts(conn, result.loads, result.rejected, result.resolved)
        ledger.add_pending_dates(conn, result.loads)
        result.completed = complete_batches(conn, batch_ids, control_topic)
    return result
