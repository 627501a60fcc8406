"""Loader throughput (rows/s, CPU per record) against raw COPY of the same rows.

    python bench/bench_loader.py [--records 300000] [--batch-size 100] [--chunk 1000]

Uses the local broker and PostgreSQL (SHOPFLOW_KAFKA_BOOTSTRAP, SHOPFLOW_DATABASE_URL
as an owner that may create databases). Steps:

1. a scratch database at migration head and fresh topics;
2. N synthetic canonical records (entity mix of a generated day: mostly clickstream,
   order lines and inventory) published to the valid topics as valid chunks of
   `--chunk` records of one file (contracts/chunk.py), plus each batch's control events;
3. **loader, end to end**: the service's processing loop (ProcessingLoop ->
   Loader.handle -> store offsets -> outbox) in this process, timed from the first
   consumed message until every batch is complete;
4. **loader, database part**: the same consumed messages applied again by Loader.load
   to an emptied ledger (no Kafka in the timing);
5. **raw COPY**: the same rows as CSV (built beforehand), one COPY per entity, into
   scratch tables with no index, and into scratch tables with staging's indexes.

CPU per record: this process's CPU time (Python and librdkafka threads) over the timed
part, and for the database part also the server backend's CPU (from /proc, when the
server runs on this machine).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import psycopg
from confluent_kafka import Message
from confluent_kafka.admin import AdminClient
from psycopg import sql

import contracts
from contracts.chunk import (
    H_CHUNK_VERSION,
    FileOrigin,
    chunk_key,
    encode_valid_chunk,
    valid_entry_bytes,
)
from services.loader.app import OutboxSchedule, consumer_overrides
from shopflow.db.connect import with_database, with_user
from shopflow.db.migrate import upgrade
from shopflow.dlq.record import record_dead_letters
from shopflow.events import BatchOpened, BatchPublished, FilePublished, encode_event
from shopflow.load.loader import Loader
from shopflow.load.messages import loader_topics
from shopflow.load.staging import staging_tables
from shopflow.runtime.kafka import BatchConsumer, EventProducer, Headers
from shopflow.runtime.loop import ProcessingLoop
from shopflow.runtime.settings import Settings
from shopflow.runtime.shutdown import Shutdown
from shopflow.topics import control_topic, create_topics, entity_of, valid_topic

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.databases import drop_database

MIX = {"clickstream": 55, "order_items": 14, "inventory": 15, "orders": 8, "customers": 4,
       "products": 2, "reviews": 2}
TEMPLATES: dict[str, dict[str, Any]] = {
    "clickstream": {"event_id": "e", "event_ts": "2026-01-01T10:00:00Z", "customer_id": "c1",
                    "event_type": "product_view", "product_id": "p1", "device": "mobile",
                    "page_url": "https://shop.example/p/p1", "utm_source": "newsletter"},
    "order_items": {"order_id": "o", "line_number": "1", "product_id": "p1", "quantity": "2",
                    "unit_price": "19.90", "discount_amount": "1.00"},
    "inventory": {"snapshot_date": "2026-01-01", "product_id": "p", "warehouse_id": "w1",
                  "on_hand": "17", "reorder_point": "5"},
    "orders": {"order_id": "o", "customer_id": "c1", "order_ts": "2026-01-01T09:30:00Z",
               "status": "paid", "channel": "web", "currency": "EUR",
               "shipping_amount": "4.90", "payment_method": "card"},
    "customers": {"customer_id": "c", "email": "ann@example.com", "first_name": "Ann",
                  "last_name": "O'Neil", "country": "DE", "city": "Berlin",
                  "segment": "gold", "signup_date": "2025-05-01",
                  "updated_at": "2026-01-01T08:00:00Z"},
    "products": {"product_id": "p", "sku": "SKU-1", "name": "Mug, \"large\"",
                 "category": "Home", "unit_cost": "3.10", "list_price": "9.90",
                 "rating": "4.5", "updated_at": "2025-12-01T00:00:00Z"},
    "reviews": {"review_id": "r", "order_id": "o1", "product_id": "p1", "rating": "5",
                "review_ts": "2026-01-02T12:00:00Z", "title": "Great",
                "body": "Line one\nline two"},
}
KEY_FIELD = {"clickstream": "event_id", "order_items": "order_id", "inventory": "product_id",
             "orders": "order_id", "customers": "customer_id", "products": "product_id",
             "reviews": "review_id"}


def canonical_templates() -> dict[str, dict[str, Any]]:
    out = {}
    for entity, mapping in TEMPLATES.items():
        outcome = contracts.validate_record(entity, mapping)
        assert outcome.ok and outcome.model is not None, (entity, outcome.errors)
        out[entity] = orjson.loads(contracts.canonical_json(outcome.model))
    return out


def synthetic(settings: Settings, records: int, per_batch: int
              ) -> Iterator[tuple[str, bytes, bytes, Headers]]:
    """(topic, key, value, headers) of every valid chunk and control event."""
    templates = canonical_templates()
    weights = sum(MIX.values())
    size = settings.chunk_max_records
    for b in range(0, records, per_batch):
        batch_id, count = f"bench-{b // per_batch:04d}", min(per_batch, records - b)
        counts = {e: count * w // weights for e, w in MIX.items()}
        counts["clickstream"] += count - sum(counts.values())
        files = {e: f"{e}.csv" for e in counts}
        yield (control_topic(settings), batch_id.encode(), encode_event(BatchOpened(
            batch_id=batch_id, files=sorted(files.values()))), [])
        for entity, n in counts.items():
            template = templates[entity]
            origin = FileOrigin(batch_id, files[entity], entity, 1, "csv")
            for first in range(2, n + 2, size):
                entries = []
                for line in range(first, min(first + size, n + 2)):
                    key = f"{entity[:2]}{b}-{line}"
                    value = orjson.dumps({**template, KEY_FIELD[entity]: key},
                                         option=orjson.OPT_SORT_KEYS)
                    entries.append(valid_entry_bytes(line, key.encode(), value))
                yield (valid_topic(settings, entity), chunk_key(origin, first),
                       encode_valid_chunk(origin, entries), [(H_CHUNK_VERSION, b"1")])
            yield (control_topic(settings), batch_id.encode(), encode_event(FilePublished(
                batch_id=batch_id, file=files[entity], entity=entity, sha256=entity,
                records=n)), [])
        yield (control_topic(settings), batch_id.encode(), encode_event(BatchPublished(
            batch_id=batch_id, files_published=len(files), records=count)), [])


def scratch_database(admin: str) -> str:
    name = f"bench_loader_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = with_database(admin, name)
    upgrade(url)
    return url


def delete_topics(settings: Settings) -> None:
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    for future in admin.delete_topics(loader_topics(settings), operation_timeout=30).values():
        future.result()


def run_loader(settings: Settings, batches: int) -> tuple[float, float, list[Message], int]:
    """The service's processing loop, in process: seconds and CPU seconds until all
    batches complete, the messages, the rows inserted."""
    consumer = BatchConsumer(settings, f"{settings.consumer_group_prefix}.loader",
                             loader_topics(settings), "loader", **consumer_overrides(settings))
    loader, producer = Loader(settings, record_dead_letters), EventProducer(settings)
    consumed: list[Message] = []
    completed: set[str] = set()
    rows = polls = 0
    clock: list[float] = []  # wall and CPU time when the first message batch arrived

    def handle(messages: list[Message]) -> None:
        nonlocal rows, polls
        if not clock:
            clock.extend((time.monotonic(), time.process_time()))
        result = loader.load(messages)
        completed.update(e.batch_id for e in result.completed)
        rows += sum(result.inserted_by_entity().values())
        consumed.extend(messages)
        polls += 1

    loop = ProcessingLoop(consumer, handle, Shutdown(), on_cycle=OutboxSchedule(loader, producer))
    try:
        while len(completed) < batches:
            loop.run_once()
        seconds, cpu = time.monotonic() - clock[0], time.process_time() - clock[1]
        print(f"end to end: {polls} message batches, {len(consumed) / polls:,.1f} messages "
              "each on average")
        return seconds, cpu, consumed, rows
    finally:
        consumer.close()
        loader.close()


def reset_ledger(url: str) -> None:
    with psycopg.connect(url) as conn:
        tables = [f"staging.{e}" for e in contracts.ENTITIES] + [
            "ops.batches", "ops.batch_files", "ops.batch_dates", "ops.outbox",
            "ops.dead_letters"]
        conn.execute(f"TRUNCATE {', '.join(tables)}")


def backend_cpu(pid: int) -> float:
    """CPU seconds of a PostgreSQL backend on this machine (0 when it cannot be read)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_again(settings: Settings, messages: list[Message], batch_size: int
               ) -> tuple[float, float, float]:
    """Seconds, this process's CPU seconds and the server backend's CPU seconds."""
    loader = Loader(settings, record_dead_letters)
    try:
        loader.load([])  # connect and learn the tables outside the timing
        pid = loader._connection().info.backend_pid
        server, cpu, started = backend_cpu(pid), time.process_time(), time.monotonic()
        for i in range(0, len(messages), batch_size):
            loader.load(messages[i:i + batch_size])
        return (time.monotonic() - started, time.process_time() - cpu,
                backend_cpu(pid) - server)
    finally:
        loader.close()


def staging_rows(url: str, messages: list[Message]) -> dict[str, str]:
    """The rows the chunks hold, as CSV per entity (the raw COPY reference's input)."""
    with psycopg.connect(url) as conn:
        tables = staging_tables(conn, contracts.ENTITIES)
    buffers: dict[str, io.StringIO] = {}
    for msg in messages:
        topic = msg.topic() or ""
        if ".valid." not in topic:
            continue
        entity = entity_of(topic)
        chunk = orjson.loads(msg.value() or b"")
        origin, columns = chunk["origin"], tables[entity].data_columns
        writer = csv.writer(buffers.setdefault(entity, io.StringIO()), lineterminator="\n")
        writer.writerows((*map(entry["record"].get, columns), origin["batch_id"],
                          origin["source_file"], entry["line"], None)
                         for entry in chunk["records"])
    return {entity: buffer.getvalue() for entity, buffer in buffers.items()}


def raw_copy(url: str, payloads: dict[str, str], indexed: bool) -> float:
    """COPY the same rows (CSV built beforehand) into scratch copies of the staging tables."""
    with psycopg.connect(url) as conn:
        tables = staging_tables(conn, contracts.ENTITIES)
        like = "INCLUDING ALL" if indexed else "INCLUDING DEFAULTS"
        for entity in payloads:
            conn.execute(f"CREATE TABLE public.raw_{entity} (LIKE staging.{entity} {like})")
        conn.commit()
        started = time.monotonic()
        with conn.cursor() as cur:
            for entity, payload in payloads.items():
                columns = ", ".join(tables[entity].insert_columns)
                with cur.copy(f"COPY public.raw_{entity} ({columns}) FROM STDIN "
                              "(FORMAT csv)") as copy:
                    copy.write(payload)
        conn.commit()
        seconds = time.monotonic() - started
        for entity in payloads:
            conn.execute(f"DROP TABLE public.raw_{entity}")
        conn.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--per-batch", type=int, default=50_000, help="records per batch")
    parser.add_argument("--batch-size", type=int, default=100, help="messages per poll")
    parser.add_argument("--chunk", type=int, default=1000, help="records per chunk")
    args = parser.parse_args()
    admin = os.environ.get("SHOPFLOW_DATABASE_URL", "postgresql://shopflow@127.0.0.1/shopflow")
    prefix = f"bench{uuid.uuid4().hex[:8]}"
    url = scratch_database(admin)
    settings = Settings(
        kafka_bootstrap=os.environ.get("SHOPFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        topic_prefix=prefix, consumer_group_prefix=prefix, consume_batch_size=args.batch_size,
        chunk_max_records=args.chunk,
        database_url=url, loader_database_url=with_user(url, "shopflow_loader"))
    try:
        create_topics(settings, loader_topics(settings))
        producer = EventProducer(settings)
        for topic, key, value, headers in synthetic(settings, args.records, args.per_batch):
            producer.produce(topic, value, key=key, headers=headers)
        producer.flush()
        batches = -(-args.records // args.per_batch)
        seconds, cpu, messages, rows = run_loader(settings, batches)
        assert rows == args.records, (rows, args.records)
        reset_ledger(url)
        db_seconds, db_cpu, server_cpu = load_again(settings, messages, args.batch_size)
        payloads = staging_rows(url, messages)
        copy_bare = raw_copy(url, payloads, indexed=False)
        copy_indexed = raw_copy(url, payloads, indexed=True)
    finally:
        drop_database(admin, url)
        delete_topics(settings)
    report(args.records, seconds, db_seconds, copy_bare, copy_indexed)
    per_record = 1e6 / args.records
    print(f"loader process CPU per record: end to end {cpu * per_record:.1f} us, "
          f"database part {db_cpu * per_record:.1f} us (PostgreSQL backend "
          f"{server_cpu * per_record:.1f} us)")


def report(rows: int, seconds: float, db_seconds: float, copy_bare: float,
           copy_indexed: float) -> None:
    def rate(s: float) -> float:
        return rows / s

    print(f"rows: {rows:,} canonical records on the valid topics")
    print(f"loader, end to end (Kafka -> staging, ledger, completion): "
          f"{rate(seconds):>10,.0f} rows/s  ({seconds:.2f} s)")
    print(f"loader, database part only (Loader.load):                  "
          f"{rate(db_seconds):>10,.0f} rows/s  ({db_seconds:.2f} s)")
    print(f"raw COPY into unindexed scratch tables:                    "
          f"{rate(copy_bare):>10,.0f} rows/s  ({copy_bare:.2f} s)")
    print(f"raw COPY into scratch tables with staging's indexes:       "
          f"{rate(copy_indexed):>10,.0f} rows/s  ({copy_indexed:.2f} s)")
    print(f"ratio loader end to end / raw COPY (unindexed, indexed):   "
          f"{copy_bare / seconds:.2f}, {copy_indexed / seconds:.2f}")
    print(f"ratio loader database part / raw COPY (unindexed, indexed): "
          f"{copy_bare / db_seconds:.2f}, {copy_indexed / db_seconds:.2f}")


if __name__ == "__main__":
    main()
