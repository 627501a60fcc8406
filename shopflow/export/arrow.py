"""PostgreSQL rows to Arrow record batches with a fixed schema per table."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import psycopg
import pyarrow as pa

# The warehouse's numerics are unconstrained; money has 2 places and nothing exported has
# more than 6, so decimal(38, 6) keeps every value exact (decision 0078).
NUMERIC = pa.decimal128(38, 6)
_QUANTUM = Decimal("0.000001")
_BY_POSTGRES_TYPE: dict[str, pa.DataType] = {
    "int2": pa.int16(), "int4": pa.int32(), "int8": pa.int64(),
    "float4": pa.float32(), "float8": pa.float64(), "numeric": NUMERIC,
    "bool": pa.bool_(), "date": pa.date32(), "text": pa.string(), "varchar": pa.string(),
    "timestamptz": pa.timestamp("us", tz="UTC"), "timestamp": pa.timestamp("us"),
}


class UnsupportedColumn(TypeError):
    pass


def arrow_schema(cursor: psycopg.Cursor[Any]) -> pa.Schema:
    """The Arrow schema of the cursor's result (after execute)."""
    fields = []
    for column in cursor.description or ():
        info = cursor.connection.adapters.types.get(column.type_code)
        kind = _BY_POSTGRES_TYPE.get(info.name if info else "")
        if kind is None:
            raise UnsupportedColumn(f"column {column.name}: type {info.name if info else '?'}"
                                    " has no Arrow mapping")
        fields.append(pa.field(column.name, kind))
    return pa.schema(fields)


def record_batch(rows: Sequence[tuple[Any, ...]], schema: pa.Schema) -> pa.RecordBatch:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = []
    for values, column in zip(columns, schema, strict=True):
        if column.type == NUMERIC:
            values = tuple(None if v is None else v.quantize(_QUANTUM) for v in values)
        arrays.append(pa.array(values, type=column.type))
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
