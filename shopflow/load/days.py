"""Per source file: how many rows were inserted and which business dates they touch.

The date of a row is what the transformer has to rebuild: the UTC date of an
order, of an order line's order, of a clickstream event or a review, and an
inventory snapshot's date. Customers, products and campaigns have none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg

from shopflow.load.messages import Row
from shopflow.load.staging import StagingTable

DAY_FIELDS = {"orders": "order_ts", "clickstream": "event_ts", "reviews": "review_ts",
              "inventory": "snapshot_date"}

ORDER_DAYS_SQL = """
SELECT DISTINCT order_id, (order_ts AT TIME ZONE 'UTC')::date
FROM staging.orders WHERE order_id = ANY(%s)
"""


@dataclass(frozen=True)
class FileLoad:
    """What one message batch inserted for one source file."""

    batch_id: str
    file_name: str
    entity: str
    inserted: int
    days: tuple[date, ...]


def utc_day(value: str | None) -> date | None:
    """The UTC date of a canonical date or timestamp ("2026-01-31", "...T23:10:00Z")."""
    if not value:
        return None
    if len(value) == 10 or value.endswith("Z"):  # canonical: already UTC
        return date.fromisoformat(value[:10])
    return datetime.fromisoformat(value).astimezone(UTC).date()


def file_loads(conn: psycopg.Connection, table: StagingTable,
               rows: Sequence[Row]) -> list[FileLoad]:
    """Group the inserted rows by file, with the dates they touch."""
    by_file: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        by_file[(row[-4], row[-3])].append(row)
    day_of = day_function(conn, table, rows)
    loads = []
    for (batch_id, file_name), file_rows in sorted(by_file.items()):
        days = {day for row in file_rows for day in day_of(row)}
        loads.append(FileLoad(batch_id, file_name, table.entity, len(file_rows),
                              tuple(sorted(days))))
    return loads


def day_function(conn: psycopg.Connection, table: StagingTable,
                 rows: Sequence[Row]) -> Callable[[Row], Sequence[date]]:
    if table.entity in DAY_FIELDS:
        index = table.data_columns.index(DAY_FIELDS[table.entity])

        def own_day(row: Row) -> Sequence[date]:
            day = utc_day(row[index])
            return (day,) if day else ()

        return own_day
    if table.entity == "order_items":
        return order_day_lookup(conn, table, rows)
    return lambda _row: ()


def order_day_lookup(conn: psycopg.Connection, table: StagingTable,
                     rows: Sequence[Row]) -> Callable[[Row], Sequence[date]]:
    """An order line's dates are its order's; orders load first in the same transaction."""
    index = table.data_columns.index("order_id")
    order_ids = sorted({row[index] for row in rows})
    days: dict[str, list[date]] = defaultdict(list)
    for order_id, day in conn.execute(ORDER_DAYS_SQL, (order_ids,)).fetchall():
        days[order_id].append(day)
    return lambda row: days.get(row[index], ())
