"""Bulk, idempotent staging writes: one COPY per entity and message batch.

The usual case, records never seen before, is a plain ``COPY`` straight into the
staging table inside a savepoint. If any of the rows exists already (a
redelivery after a crash or a rebalance, a republished file, a replay seen
twice), the primary key on the provenance refuses the COPY, the savepoint is
rolled back, and the rows go through a per-connection temporary table and
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` instead, which inserts only the
new ones. Either way the caller learns exactly which rows were inserted.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import psycopg
from psycopg import sql

from shopflow.load.messages import Row

PROVENANCE = ("batch_id", "source_file", "line_number", "replay_id")
NOT_DATA = {*PROVENANCE, "source_line", "loaded_at"}
# Orders first, so order lines in the same transaction find their order's date.
LOAD_ORDER = ("customers", "products", "campaigns", "orders", "order_items", "inventory",
              "clickstream", "reviews")

MERGE_SQL = """
INSERT INTO {target} ({columns}) SELECT {columns} FROM {temp}
ON CONFLICT DO NOTHING
RETURNING batch_id, source_file, {line}
"""


@dataclass(frozen=True)
class StagingTable:
    entity: str
    data_columns: tuple[str, ...]
    line_column: str  # where the source line goes ("source_line" for order_items)

    @property
    def temp_name(self) -> str:
        return f"load_{self.entity}"

    @property
    def copy_columns(self) -> tuple[str, ...]:
        return (*self.data_columns, "batch_id", "source_file", self.line_column, "replay_id")


def staging_tables(conn: psycopg.Connection, entities: Sequence[str]) -> dict[str, StagingTable]:
    """Read the staging columns from the catalog, so a migration that adds one needs no code."""
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'staging' AND table_name = ANY(%s) ORDER BY ordinal_position",
        (list(entities),),
    ).fetchall()
    columns: dict[str, list[str]] = {}
    for table, column in rows:
        columns.setdefault(table, []).append(column)
    missing = set(entities) - set(columns)
    if missing:
        raise RuntimeError(f"staging tables missing: {sorted(missing)} (run shopflow init)")
    return {
        entity: StagingTable(
            entity=entity,
            data_columns=tuple(c for c in cols if c not in NOT_DATA or
                               (entity == "order_items" and c == "line_number")),
            line_column="source_line" if entity == "order_items" else "line_number",
        )
        for entity, cols in columns.items()
    }


def create_temp_tables(conn: psycopg.Connection, tables: Sequence[StagingTable]) -> None:
    """Once per connection: unindexed copies of the staging tables, emptied at each commit."""
    with conn.transaction():
        for table in tables:
            conn.execute(sql.SQL(
                "CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {} INCLUDING DEFAULTS) "
                "ON COMMIT DELETE ROWS").format(
                sql.Identifier(table.temp_name), sql.Identifier("staging", table.entity)))


def csv_payload(rows: Sequence[Row]) -> str:
    """CSV for COPY: None becomes an unquoted empty field, which COPY reads as NULL.
    Canonical records never hold empty strings (contracts read "" as null)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def copy_rows(conn: psycopg.Connection, target: sql.Composable, table: StagingTable,
              rows: Sequence[Row]) -> None:
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
        target, sql.SQL(", ").join(map(sql.Identifier, table.copy_columns)))
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.write(csv_payload(rows))


def merge_statement(table: StagingTable) -> sql.Composed:
    return sql.SQL(MERGE_SQL).format(
        target=sql.Identifier("staging", table.entity), temp=sql.Identifier(table.temp_name),
        columns=sql.SQL(", ").join(map(sql.Identifier, table.copy_columns)),
        line=sql.Identifier(table.line_column))


def insert_new_rows(conn: psycopg.Connection, table: StagingTable,
                    rows: Sequence[Row]) -> Sequence[Row]:
    """Write the rows not in staging yet; returns those (inside the caller's transaction)."""
    try:
        with conn.transaction():  # a savepoint: a refused COPY undoes only itself
            copy_rows(conn, sql.Identifier("staging", table.entity), table, rows)
        return rows
    except psycopg.errors.UniqueViolation:
        pass  # some of them were loaded before: merge instead
    copy_rows(conn, sql.Identifier(table.temp_name), table, rows)
    with conn.cursor() as cur:
        cur.execute(merge_statement(table))
        inserted = set(cur.fetchall())
    new_rows = []
    for row in rows:
        identity = row[-4:-1]  # rows end with batch_id, source_file, line, replay_id
        if identity in inserted:
            inserted.discard(identity)  # a record delivered twice in one batch counts once
            new_rows.append(row)
    return new_rows


def entity_order(entities: Sequence[str]) -> list[str]:
    return sorted(entities, key=lambda e: LOAD_ORDER.index(e) if e in LOAD_ORDER
                  else len(LOAD_ORDER))
