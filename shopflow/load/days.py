"""Per source file: how many rows were inserted and which business dates they touch.

The date of a row is what the transformer has to rebuild: the UTC date of an
order, of an order line's order, of a clickstream event or a review, and an
inventory snapshot's date. Customers, products and campaigns have none. The
dates are worked out by the staging statement itself (shopflow.load.staging), per
file, from the rows it inserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.chunk import FileKey

DAY_FIELDS = {"orders": "order_ts", "clickstream": "event_ts", "reviews": "review_ts",
              "inventory": "snapshot_date"}
# An order line's dates are its order's (orders load first in the same transaction).
ORDER_LINE_ENTITY, ORDER_KEY = "order_items", "order_id"


@dataclass(frozen=True)
class FileLoad:
    """What one message batch inserted for one source file."""

    batch_id: str
    file_name: str
    entity: str
    inserted: int
    days: tuple[date, ...]

    @property
    def file_key(self) -> FileKey:
        return (self.batch_id, self.file_name)


def day_expression(column: str, data_type: str) -> str:
    """SQL for the UTC date of a staging column holding a date or a timestamptz."""
    if data_type == "date":
        return f'"{column}"'
    if data_type == "timestamp with time zone":
        return f"(\"{column}\" AT TIME ZONE 'UTC')::date"
    raise ValueError(f"{column} ({data_type}) is not a date or a timestamptz")
