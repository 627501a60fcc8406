"""Reads generated batches back with the standard library only, as a consumer would.

Deliberately independent of shopflow.generate's own modules: the column lists
below are copied from the SPEC's data dictionary, not imported.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

COLUMNS: dict[str, set[str]] = {
    "customers": {"customer_id", "email", "first_name", "last_name", "country", "region",
                  "city", "segment", "signup_date", "updated_at"},
    "products": {"product_id", "sku", "name", "category", "subcategory", "brand", "unit_cost",
                 "list_price", "rating", "updated_at"},
    "orders": {"order_id", "customer_id", "order_ts", "status", "channel", "campaign_id",
               "currency", "shipping_amount", "payment_method", "updated_at"},
    "order_items": {"order_id", "line_number", "product_id", "quantity", "unit_price",
                    "discount_amount"},
    "clickstream": {"event_id", "event_ts", "customer_id", "anonymous_id", "event_type",
                    "product_id", "order_id", "page_url", "referrer", "utm_source",
                    "utm_medium", "utm_campaign", "device"},
    "inventory": {"snapshot_date", "product_id", "warehouse_id", "on_hand", "reorder_point"},
    "campaigns": {"campaign_id", "name", "channel", "start_date", "end_date", "budget",
                  "discount_pct"},
    "reviews": {"review_id", "order_id", "product_id", "customer_id", "rating", "review_ts",
                "title", "body"},
}

Record = dict[str, Any]


@dataclass(frozen=True)
class Row:
    line: int
    record: Record | None  # None: the line is not JSON at all


def batch_dirs(out: Path) -> list[Path]:
    return sorted(path for path in out.iterdir() if path.is_dir())


def entity_of(path: Path) -> str:
    return path.name.split(".")[0]


def read_csv(path: Path) -> tuple[list[str], list[Row]]:
    """Rows with the physical line each starts on; empty cells become None."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows, start = [], reader.line_num + 1
        for cells in reader:
            assert len(cells) == len(header), f"{path}:{start} has {len(cells)} cells"
            rows.append(Row(start, {k: (v if v != "" else None) for k, v in zip(header, cells,
                                                                                 strict=True)}))
            start = reader.line_num + 1
    return header, rows


def read_jsonl(path: Path) -> list[Row]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, text in enumerate(handle, start=1):
            try:
                rows.append(Row(number, json.loads(text)))
            except ValueError:
                rows.append(Row(number, None))
    return rows


def read_rows(path: Path) -> list[Row]:
    return read_jsonl(path) if path.suffix == ".jsonl" else read_csv(path)[1]


def data_files(batch: Path) -> Iterator[Path]:
    return iter(sorted(p for p in batch.iterdir() if p.suffix in (".csv", ".jsonl")))


def load_defects(out: Path) -> list[dict[str, Any]]:
    with (out / "truth_defects.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def load_truth(out: Path) -> dict[str, Any]:
    return json.loads((out / "truth.json").read_text(encoding="utf-8"))


def utc(text: str) -> datetime:
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
