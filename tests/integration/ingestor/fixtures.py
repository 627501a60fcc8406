"""Small hand-made batch files for the ingestor tests."""

from __future__ import annotations

import json
from pathlib import Path

ORDERS_CSV = (
    "order_id,customer_id,order_ts,status,currency,channel\n"
    "o1,c1,2026-01-01T10:00:00Z,paid,EUR,web\n"
    'o2,c2,2026-01-01T11:00:00Z,placed,EUR,"mobile"\n'
    "o3,c3,2026-01-01T12:00:00Z,delivered,USD,store\n"
)
CUSTOMERS_CSV = (
    "customer_id,email,country,updated_at,segment\n"
    "c1,a@example.com,DE,2026-01-01T00:00:00Z,gold\n"
)
CLICKSTREAM_JSONL = (
    '{"event_id": "e1", "event_ts": "2026-01-01T10:00:00Z", "customer_id": "c1", '
    '"event_type": "page_view"}\n'
    '{"event_id": "e2", "event_ts": "2026-01-01T10:01:00Z", "anonymous_id": "a9", '
    '"event_type": "page_view", "page_url": "/?q=\'; DROP TABLE x;--"}\n'
)


def write_batch(root: Path, batch_id: str, files: dict[str, str | bytes],
                business_date: str | None = "2026-01-01") -> Path:
    batch = root / batch_id
    batch.mkdir(parents=True)
    for name, content in files.items():
        data = content.encode() if isinstance(content, str) else content
        (batch / name).write_bytes(data)
    manifest = {"business_date": business_date} if business_date else {}
    (batch / "_SUCCESS").write_text(json.dumps(manifest))
    return batch
