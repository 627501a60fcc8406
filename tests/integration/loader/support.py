"""Shared helpers of the loader tests: generated input, database and topic read-outs."""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
from confluent_kafka import Consumer

from shopflow.events import BatchCompleted, decode_event
from shopflow.generate import GenerationConfig, generate
from shopflow.load.messages import loader_topics
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, create_topics
from tests.integration.loader.feed import (
    BatchFeed,
    control_messages,
    expected_counts,
    publish,
    read_generated,
    record_messages,
)

STAGING = ("customers", "products", "orders", "order_items", "clickstream", "inventory",
           "campaigns", "reviews")


def generated_feed(out: Path, days: int = 3, orders_per_day: int = 40,
                   defect_rate: float = 0.03, seed: int = 11) -> list[BatchFeed]:
    generate(GenerationConfig(days=days, start=date(2026, 3, 1), orders_per_day=orders_per_day,
                              seed=seed, defect_rate=defect_rate, out=out))
    return read_generated(out)


def staging_counts(url: str) -> dict[tuple[str, str], int]:
    """Rows per (batch, file) over every staging table."""
    counts: Counter[tuple[str, str]] = Counter()
    with psycopg.connect(url) as conn:
        for table in STAGING:
            for batch_id, file_name, n in conn.execute(
                    f"SELECT batch_id, source_file, count(*) FROM staging.{table} GROUP BY 1, 2"):
                counts[(batch_id, file_name)] += n
    return dict(counts)


def ledger_counts(url: str) -> dict[tuple[str, str], tuple[int, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT batch_id, file_name, loaded, rejected FROM ops.batch_files "
                            "WHERE status = 'published'").fetchall()
    return {(b, f): (loaded, rejected) for b, f, loaded, rejected in rows}


def dead_letter_counts(url: str) -> dict[tuple[str, str], int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT batch_id, source_file, count(*) FROM ops.dead_letters "
                            "WHERE resolved_at IS NULL GROUP BY 1, 2").fetchall()
    return {(b, f): n for b, f, n in rows}


def completions(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT batch_id, completions FROM ops.batches").fetchall()
    return dict(rows)


def wait_until(condition: Callable[[], bool], seconds: float, what: str,
               check: Callable[[], None] | None = None, poll: float = 0.3) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check is not None:
            check()
        if condition():
            return
        time.sleep(poll)
    raise AssertionError(f"timed out after {seconds}s waiting for {what}")


def read_completed_events(settings: Settings, expect: int, seconds: float = 30,
                          linger: float = 2.0) -> list[BatchCompleted]:
    """Every BatchCompleted on the control topic (waits for `expect`, then a little more)."""
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap,
                         "group.id": f"reader-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([control_topic(settings)])
    events: list[BatchCompleted] = []
    deadline = time.monotonic() + seconds
    quiet_until: float | None = None
    try:
        while time.monotonic() < deadline:
            for msg in consumer.consume(500, 0.5):
                if msg.error() is None:
                    event = decode_event(msg.value() or b"")
                    if isinstance(event, BatchCompleted):
                        events.append(event)
            if len(events) >= expect:
                quiet_until = quiet_until or time.monotonic() + linger
                if time.monotonic() >= quiet_until:
                    break
    finally:
        consumer.close()
    return events


# Records per valid chunk in the process tests: small, so that a run spans many chunks
# and transactions (about as many records per message batch as before chunks).
CHUNK_RECORDS = 10


def publish_run(settings: Settings, feed: list[BatchFeed], redeliver: float = 0.2,
                chunk_records: int = CHUNK_RECORDS) -> None:
    """Valid chunks and dead letters (a share of the messages twice, as after a producer
    retry) and control events."""
    create_topics(settings, loader_topics(settings))
    chunked = settings.model_copy(update={"chunk_max_records": chunk_records})
    records = [m for b in feed for m in record_messages(chunked, b)]
    rng = random.Random(3)
    records += rng.sample(records, int(len(records) * redeliver))
    rng.shuffle(records)
    publish(settings, records + [m for b in feed for m in control_messages(settings, b)])


def all_complete(url: str, feed: list[BatchFeed]) -> bool:
    done = completions(url)
    return all(done.get(b.batch_id, 0) >= 1 for b in feed)


def assert_loaded_exactly_once(settings: Settings, url: str, feed: list[BatchFeed],
                               killed: bool = False) -> None:
    """Staging and ledger match the input; one BatchCompleted per batch. After SIGKILLs the
    documented outbox window (killed between the broker's ack and the "sent" mark) may
    repeat an event with the same (batch_id, sequence): exactly once in effect."""
    expected = expected_counts(feed)
    assert staging_counts(url) == {k: v[0] for k, v in expected.items() if v[0]}
    assert ledger_counts(url) == expected
    assert completions(url) == dict.fromkeys((b.batch_id for b in feed), 1)
    assert outbox_rows(url) == {(b.batch_id, True): 1 for b in feed}
    events = read_completed_events(settings, expect=len(feed))
    per_batch = Counter((e.batch_id, e.sequence) for e in events)
    assert set(per_batch) == {(b.batch_id, 1) for b in feed}, per_batch
    if not killed:
        assert set(per_batch.values()) == {1}, per_batch


def outbox_rows(url: str) -> Counter[tuple[str, bool]]:
    """(batch_id, sent) of every outbox row."""
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT event_key, sent_at IS NOT NULL FROM ops.outbox").fetchall()
    return Counter((key, sent) for key, sent in rows)


def staged_rows(url: str) -> int:
    return sum(staging_counts(url).values())
