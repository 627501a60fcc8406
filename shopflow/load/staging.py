"""Bulk, idempotent staging writes: one set-based statement per entity and message batch.

The valid chunks of one entity go to PostgreSQL as they arrived, as one ``jsonb[]``
parameter (binary, no escaping). One ``INSERT ... SELECT`` takes every chunk apart
(origin once per chunk, then each entry's line, replay mark and canonical record,
``jsonb_populate_record`` into the staging table's own row type) and RETURNs what it
inserted, which the same statement folds into inserted rows and business dates per
source file. No Python runs per record.

The usual case, records never seen before, is a plain INSERT inside a savepoint. If
any row exists already (a redelivery after a crash or a rebalance, a republished
file, a replay seen twice, the same chunk twice in one batch), the primary key on the
record's identity ``(batch_id, source_file, line)`` refuses it, the savepoint is
rolled back and the same statement runs with ``ON CONFLICT DO NOTHING``, which
inserts only the new rows (decision 0052). Either way the counts are exact.

If PostgreSQL refuses the statement because of a record (a data error, an integrity
violation, a program limit: shopflow.load.refusals.REFUSED), the refused records are
isolated in the same transaction: each chunk again in its own savepoint, then, inside a
chunk that still fails, its halves and their halves down to single records, each in its
own savepoint. Every record the database accepts is inserted; each one it refuses is
returned as a ``Refusal`` (it becomes a dead letter, decision 0056). The common path
stays one statement per entity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from shopflow.load.days import DAY_FIELDS, ORDER_KEY, ORDER_LINE_ENTITY, FileLoad, day_expression
from shopflow.load.messages import ValidChunk
from shopflow.load.refusals import (
    REFUSED,
    ChunkEntry,
    Refusal,
    chunk_of,
    refusal,
    split_chunk,
)

PROVENANCE = ("batch_id", "source_file", "line_number", "replay_id")
NOT_DATA = {*PROVENANCE, "source_line", "loaded_at"}
# Orders first, so order lines in the same transaction find their order's date.
LOAD_ORDER = ("customers", "products", "campaigns", "orders", "order_items", "inventory",
              "clickstream", "reviews")

# The function scans run in a nested loop: a chunk's origin is read once per chunk, then
# each entry once, then its record into the staging table's row type.
INSERT_SQL = """
WITH ins AS (
  INSERT INTO {target} ({columns})
  SELECT {values}, o.batch_id, o.source_file, e."line", e.replay ->> 'replay_id'
  FROM unnest(%b::jsonb[]) AS v(value),
       jsonb_to_record(v.value) AS c(origin jsonb, records jsonb),
       jsonb_to_record(c.origin) AS o(batch_id text, source_file text),
       jsonb_to_recordset(c.records) AS e("line" integer, record jsonb, replay jsonb),
       jsonb_populate_record(NULL::{target}, e.record) AS r
  {on_conflict}
  RETURNING batch_id, source_file, {returned} AS day
)
"""
# Per file: rows inserted and the business dates they touch.
OWN_DAYS_SQL = """
SELECT batch_id, source_file, count(*)::int,
       array_agg(DISTINCT day) FILTER (WHERE day IS NOT NULL)
FROM ins GROUP BY 1, 2 ORDER BY 1, 2
"""
ORDER_DAYS_SQL = """
SELECT f.batch_id, f.source_file, f.inserted,
       (SELECT array_agg(DISTINCT (o.order_ts AT TIME ZONE 'UTC')::date)
        FROM staging.orders o WHERE o.order_id = ANY(f.orders))
FROM (SELECT batch_id, source_file, count(*)::int AS inserted,
             array_agg(DISTINCT day) AS orders
      FROM ins GROUP BY 1, 2) f
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class StagingTable:
    entity: str
    data_columns: tuple[str, ...]
    line_column: str  # where the source line goes ("source_line" for order_items)
    day_sql: str = "NULL::date"  # the business date of a row, in RETURNING

    @property
    def insert_columns(self) -> tuple[str, ...]:
        return (*self.data_columns, "batch_id", "source_file", self.line_column, "replay_id")


def staging_tables(conn: psycopg.Connection, entities: Sequence[str]) -> dict[str, StagingTable]:
    """Read the staging columns from the catalog, so a migration that adds one needs no code."""
    rows = conn.execute(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'staging' AND table_name = ANY(%s) ORDER BY ordinal_position",
        (list(entities),),
    ).fetchall()
    columns: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        columns.setdefault(table, {})[column] = data_type
    missing = set(entities) - set(columns)
    if missing:
        raise RuntimeError(f"staging tables missing: {sorted(missing)} (run shopflow init)")
    return {entity: _table(entity, cols) for entity, cols in columns.items()}


def _table(entity: str, columns: dict[str, str]) -> StagingTable:
    data = tuple(c for c in columns
                 if c not in NOT_DATA or (entity == ORDER_LINE_ENTITY and c == "line_number"))
    day_sql = "NULL::date"
    if entity in DAY_FIELDS:
        day_sql = day_expression(DAY_FIELDS[entity], columns[DAY_FIELDS[entity]])
    elif entity == ORDER_LINE_ENTITY:
        day_sql = f'"{ORDER_KEY}"'  # the order's dates are looked up per file
    line = "source_line" if entity == ORDER_LINE_ENTITY else "line_number"
    return StagingTable(entity, data, line, day_sql)


def insert_statement(table: StagingTable, *, merge: bool) -> sql.Composed:
    target = sql.Identifier("staging", table.entity)
    statement = sql.SQL(INSERT_SQL).format(
        target=target,
        columns=sql.SQL(", ").join(map(sql.Identifier, table.insert_columns)),
        values=sql.SQL(", ").join(sql.Identifier("r", c) for c in table.data_columns),
        on_conflict=sql.SQL("ON CONFLICT DO NOTHING" if merge else ""),
        returned=sql.SQL(table.day_sql))  # built from the catalog, not from input
    tail = ORDER_DAYS_SQL if table.entity == ORDER_LINE_ENTITY else OWN_DAYS_SQL
    return statement + sql.SQL(tail)


def _as_is(value: Any) -> Any:
    return value  # the chunk's JSON bytes, checked by shopflow.load.messages


def insert_chunks(conn: psycopg.Connection, table: StagingTable,
                  chunks: Sequence[ValidChunk]) -> tuple[list[FileLoad], list[Refusal]]:
    """Write the chunks' records not in staging yet (inside the caller's transaction);
    returns per file how many rows that inserted and the dates they touch, and the
    records the database refused."""
    loads: list[FileLoad] = []
    refused: list[Refusal] = []
    isolate = [chunk for chunk in chunks if chunk.problems]
    whole = [chunk for chunk in chunks if not chunk.problems]
    if whole:
        try:
            loads = _insert(conn, table, [chunk.value for chunk in whole])
        except REFUSED:
            isolate = list(chunks)
    for chunk in isolate:
        chunk_loads, chunk_refused = _insert_isolated(conn, table, chunk)
        loads.extend(chunk_loads)
        refused.extend(chunk_refused)
    return loads, refused


def _insert(conn: psycopg.Connection, table: StagingTable, chunks: Sequence[bytes],
            merge: bool = False) -> list[FileLoad]:
    """One statement for these chunks; raises what PostgreSQL refuses (savepoint undone)."""
    if not chunks:
        return []
    values = [Jsonb(chunk, dumps=_as_is) for chunk in chunks]
    try:
        with conn.transaction():  # a savepoint: a refused INSERT undoes only itself
            rows = conn.execute(insert_statement(table, merge=merge), (values,)).fetchall()
    except psycopg.errors.UniqueViolation:  # some of them were loaded before: merge
        if merge:
            raise
        with conn.transaction():
            rows = conn.execute(insert_statement(table, merge=True), (values,)).fetchall()
    return [FileLoad(batch_id, file_name, table.entity, inserted, tuple(sorted(days or ())))
            for batch_id, file_name, inserted, days in rows]


def _insert_isolated(conn: psycopg.Connection, table: StagingTable,
                     chunk: ValidChunk) -> tuple[list[FileLoad], list[Refusal]]:
    """One chunk on its own; if refused, record by record (each in a savepoint)."""
    if not chunk.problems:
        try:
            return _insert(conn, table, [chunk.value], merge=True), []
        except REFUSED:
            pass
    origin, entries = split_chunk(conn, chunk)
    problems = dict(chunk.problems)
    refused = [Refusal(chunk, e, problems[e.position]) for e in entries
               if e.position in problems]
    rest = [e for e in entries if e.position not in problems]
    loads: list[FileLoad] = []
    _halves(conn, table, chunk, origin, rest, loads, refused, tried=not problems)
    refused.sort(key=_position)
    return loads, refused


def _halves(conn: psycopg.Connection, table: StagingTable, chunk: ValidChunk, origin: bytes,
            entries: list[ChunkEntry], loads: list[FileLoad], refused: list[Refusal],
            tried: bool) -> None:
    """Down to single records: the entries together (unless just refused), else each
    half again. One refused record in a chunk of 1,000 costs about 20 statements, not
    1,000; a record refused alone is a Refusal with PostgreSQL's message about it."""
    if not entries:
        return
    if not tried or len(entries) == 1:
        try:
            loads.extend(_insert(conn, table, [chunk_of(origin, entries)], merge=True))
            return
        except REFUSED as exc:
            if len(entries) == 1:
                refused.append(refusal(chunk, entries[0], exc))
                return
    middle = len(entries) // 2
    _halves(conn, table, chunk, origin, entries[:middle], loads, refused, tried=False)
    _halves(conn, table, chunk, origin, entries[middle:], loads, refused, tried=False)


def _position(refused: Refusal) -> int:
    return refused.entry.position


def entity_order(entities: Sequence[str]) -> list[str]:
    return sorted(entities, key=lambda e: LOAD_ORDER.index(e) if e in LOAD_ORDER
                  else len(LOAD_ORDER))
