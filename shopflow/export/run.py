"""`shopflow export`: facts and marts as Parquet (or CSV) files, one folder per month.

    <out>/<table>/month=YYYY-MM/part-0.parquet

Rows stream from a server-side cursor in chunks, so memory stays flat. Writing a month
replaces that month's earlier files (re-running an export is safe).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import psycopg
import pyarrow as pa
import pyarrow.dataset as ds
from psycopg import sql

from shopflow.export.arrow import arrow_schema, record_batch
from shopflow.export.tables import ExportTable

Format = Literal["parquet", "csv"]
CHUNK_ROWS = 50_000
MONTH = "month"


@dataclass(frozen=True)
class Exported:
    table: str
    rows: int
    months: tuple[str, ...]
    folder: Path


def _query(table: ExportTable, since: date | None) -> sql.Composed:
    schema, name = table.relation.split(".")
    column = sql.Identifier(table.date_column)
    where = sql.SQL("WHERE {} >= {}").format(column, sql.Literal(since)) if since else sql.SQL("")
    return sql.SQL("SELECT *, to_char({c}, 'YYYY-MM') AS {m} FROM {t} {w} ORDER BY {c}").format(
        c=column, m=sql.Identifier(MONTH), t=sql.Identifier(schema, name), w=where)


def _batches(cursor: psycopg.Cursor[Any], schema: pa.Schema, first: list[tuple[Any, ...]],
             seen: dict[str, int]) -> Iterator[pa.RecordBatch]:
    rows = first
    while rows:
        batch = record_batch(rows, schema)
        for month in batch.column(MONTH).to_pylist():
            seen[month] = seen.get(month, 0) + 1
        yield batch
        rows = cursor.fetchmany(CHUNK_ROWS)


def export_table(conn: psycopg.Connection, table: ExportTable, out: Path, fmt: Format,
                 since: date | None = None) -> Exported:
    folder = out / table.name
    seen: dict[str, int] = {}
    with conn.transaction(), conn.cursor(name=f"export_{table.name}") as cursor:
        cursor.execute(_query(table, since))
        first = cursor.fetchmany(CHUNK_ROWS)
        schema = arrow_schema(cursor)
        ds.write_dataset(
            _batches(cursor, schema, first, seen), folder, schema=schema, format=fmt,
            partitioning=ds.partitioning(pa.schema([(MONTH, pa.string())]), flavor="hive"),
            existing_data_behavior="delete_matching", basename_template="part-{i}." + fmt,
            max_rows_per_group=CHUNK_ROWS)
    return Exported(table.name, sum(seen.values()), tuple(sorted(seen)), folder)
