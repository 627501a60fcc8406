"""The loader's database work, in process: staging exactly once, the ledger, completion.

Messages are built the way the consumer would hand them over; the database is
the real PostgreSQL (one fresh database per test).
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from shopflow.cli.main import app
from shopflow.dlq.record import record_dead_letters
from shopflow.events import BatchCompleted, BatchPublished, FilePublished, decode_event
from shopflow.load import transaction
from shopflow.load.loader import Loader
from shopflow.load.status import batch_detail, list_batches
from shopflow.runtime.settings import Settings, get_settings
from shopflow.topics import control_topic, dlq_topic, valid_topic
from tests.conftest import TestDatabase
from tests.integration.loader.feed import (
    BatchFeed,
    as_messages,
    canonical_record,
    control_messages,
    expected_counts,
    provenance_headers,
    record_messages,
)
from tests.integration.loader.support import (
    completions,
    dead_letter_counts,
    generated_feed,
    ledger_counts,
    staging_counts,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def loader_settings(settings: Settings, database: TestDatabase) -> Settings:
    return settings.model_copy(update={
        "database_url": database.url,
        "loader_database_url": database.url_as("shopflow_loader")})


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> list[BatchFeed]:
    return generated_feed(tmp_path_factory.mktemp("generated"))


def all_messages(settings: Settings, feed: list[BatchFeed], order: str) -> list:
    records = [m for b in feed for m in record_messages(settings, b)]
    control = [m for b in feed for m in control_messages(settings, b)]
    if order == "control-first":
        return control + records
    if order == "records-first":
        return records + control
    rng = random.Random(5)
    shuffled = records + records[: len(records) // 4]  # a quarter delivered twice
    rng.shuffle(shuffled)
    # control events keep their own order (one partition per batch), interleaved anywhere
    positions = sorted(rng.sample(range(len(shuffled) + len(control)), len(control)))
    merged, it_records, it_control = [], iter(shuffled), iter(control)
    for i in range(len(shuffled) + len(control)):
        merged.append(next(it_control) if positions and positions[0] == i else next(it_records))
        if positions and positions[0] == i:
            positions.pop(0)
    return merged


def load_in_batches(loader: Loader, messages: list, size: int) -> list[BatchCompleted]:
    consumed = as_messages(messages)
    events = []
    for start in range(0, len(consumed), size):
        events.extend(loader.load(consumed[start:start + size]).completed)
    return events


@pytest.mark.parametrize("order", ["control-first", "records-first", "shuffled-redelivered"])
def test_every_valid_record_lands_once_and_each_batch_completes_once(
        loader_settings: Settings, database: TestDatabase, feed: list[BatchFeed],
        order: str) -> None:
    loader = Loader(loader_settings, record_dead_letters)
    try:
        events = load_in_batches(loader, all_messages(loader_settings, feed, order), 700)
    finally:
        loader.close()
    expected = expected_counts(feed)
    assert staging_counts(database.url) == {k: v[0] for k, v in expected.items() if v[0]}
    assert ledger_counts(database.url) == expected
    assert dead_letter_counts(database.url) == {k: v[1] for k, v in expected.items() if v[1]}
    assert sorted(e.batch_id for e in events) == sorted(b.batch_id for b in feed)
    assert {e.sequence for e in events} == {1}
    assert completions(database.url) == dict.fromkeys((b.batch_id for b in feed), 1)
    by_batch = {e.batch_id: e for e in events}
    for b in feed:
        published = b.published
        assert by_batch[b.batch_id].loaded == sum(len(f.valid) for f in published)
        assert by_batch[b.batch_id].rejected == sum(len(f.dead) for f in published)
        assert by_batch[b.batch_id].business_date == b.business_date
    with psycopg.connect(database.url) as conn:
        outbox = conn.execute("SELECT event_key, payload FROM ops.outbox").fetchall()
        order_days = conn.execute(
            "SELECT batch_id, array_agg(DISTINCT (order_ts AT TIME ZONE 'UTC')::date::text) "
            "FROM staging.orders GROUP BY 1").fetchall()
    assert sorted(k for k, _ in outbox) == sorted(b.batch_id for b in feed)
    for batch_id, days in order_days:
        assert set(days) <= set(by_batch[batch_id].dates)
    assert decode_event(bytes(outbox[0][1])).type == "BatchCompleted"


def test_batch_waits_for_every_record_and_for_batch_published(
        loader_settings: Settings, database: TestDatabase, feed: list[BatchFeed]) -> None:
    batch = feed[0]
    records = record_messages(loader_settings, batch)
    control = control_messages(loader_settings, batch)
    loader = Loader(loader_settings, record_dead_letters)
    try:
        assert loader.load(as_messages(control[:-1] + records[:-1])).completed == []
        # all records but BatchPublished missing: not complete either
        assert loader.load(as_messages(records[-1:], 10**6)).completed == []
        [event] = loader.load(as_messages(control[-1:], 2 * 10**6)).completed
        assert loader.load(as_messages(control + records, 3 * 10**6)).completed == []
    finally:
        loader.close()
    assert event.batch_id == batch.batch_id and event.sequence == 1


def test_replay_that_loads_a_dead_letter_triggers_one_follow_up_completion(
        loader_settings: Settings, database: TestDatabase) -> None:
    s = loader_settings
    order = {"order_id": "o-1", "customer_id": "c-1", "order_ts": "2026-02-03T23:30:00-02:00",
             "status": "paid", "currency": "EUR"}
    item = {"order_id": "o-1", "line_number": "1", "product_id": "p-1", "quantity": "2",
            "unit_price": "5.00"}
    bad_item = json.dumps({**item, "quantity": "-1"}).encode()
    batch_id = "b-replay"
    messages = [
        (valid_topic(s, "orders"), None, canonical_record("orders", order),
         provenance_headers(batch_id, "orders.csv", 2)),
        (dlq_topic(s, "order_items"), None, bad_item,
         [*provenance_headers(batch_id, "order_items.csv", 2),
          ("shopflow.errors.codes", b"out_of_range")]),
    ]
    control = [FilePublished(batch_id=batch_id, file="orders.csv", entity="orders",
                             sha256="a", records=1),
               FilePublished(batch_id=batch_id, file="order_items.csv", entity="order_items",
                             sha256="b", records=1),
               BatchPublished(batch_id=batch_id, files_published=2, records=2)]
    messages += [(control_topic(s), None, e.model_dump_json().encode(), []) for e in control]
    replayed = [(valid_topic(s, "order_items"), None, canonical_record("order_items", item),
                 provenance_headers(batch_id, "order_items.csv", 2, replay_id="r-1"))]
    loader = Loader(s, record_dead_letters)
    try:
        [first] = loader.load(as_messages(messages)).completed
        [second] = loader.load(as_messages(replayed, 100)).completed
        assert loader.load(as_messages(replayed, 200)).completed == []  # replayed twice
        assert loader.load(as_messages(messages, 300)).completed == []  # all redelivered
    finally:
        loader.close()
    assert (first.sequence, first.loaded, first.rejected) == (1, 1, 1)
    assert first.dates == ["2026-02-04"]  # the UTC date of the order
    assert (second.sequence, second.loaded, second.rejected) == (2, 2, 0)
    assert second.dates == ["2026-02-04"]  # the replayed line's order date, to rebuild
    with psycopg.connect(database.url) as conn:
        resolved = conn.execute("SELECT resolved_at IS NOT NULL, replay_id FROM "
                                "ops.dead_letters").fetchall()
        items = conn.execute("SELECT replay_id FROM staging.order_items").fetchall()
    assert resolved == [(True, "r-1")] and items == [("r-1",)]


def test_concurrent_loaders_finishing_different_files_complete_a_batch_once(
        loader_settings: Settings, database: TestDatabase, feed: list[BatchFeed],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two loaders load the last records of different files of a batch at once. Both
    transactions are held just before their completion check until the other one gets
    there too (or 1 s passed): without the per-batch lock, neither would see the other's
    counts and the batch would never complete."""
    s = loader_settings
    rendezvous = threading.Barrier(2, timeout=1.0)
    real_complete = transaction.complete_batches

    def complete_after_rendezvous(*args: object, **kwargs: object) -> list[BatchCompleted]:
        # a broken barrier: the other loader is (correctly) waiting for this one's lock
        with contextlib.suppress(threading.BrokenBarrierError):
            rendezvous.wait()
        return real_complete(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(transaction, "complete_batches", complete_after_rendezvous)
    loaders = [Loader(s, record_dead_letters) for _ in range(2)]
    events: list[BatchCompleted] = []
    try:
        for round_no, batch in enumerate(feed):
            control = as_messages(control_messages(s, batch), round_no * 10**6)
            assert loaders[0].load(control).completed == []
            rendezvous.reset()
            halves: list[list] = [[], []]
            for f_no, f in enumerate(batch.published):
                one_file = BatchFeed(batch.batch_id, batch.business_date, [f])
                halves[f_no % 2].extend(record_messages(s, one_file))

            def run(i: int, halves: list[list] = halves, offset: int = round_no) -> None:
                msgs = as_messages(halves[i], offset * 10**6 + (i + 1) * 10**5)
                events.extend(loaders[i].load(msgs).completed)

            threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        for loader in loaders:
            loader.close()
    assert sorted(e.batch_id for e in events) == sorted(b.batch_id for b in feed)
    assert ledger_counts(database.url) == expected_counts(feed)


def test_database_outage_at_start_is_waited_out(loader_settings: Settings,
                                                tmp_path: Path) -> None:
    """A loader started before its database exists keeps retrying; shutdown stops it."""
    from shopflow.runtime.shutdown import Shutdown

    shutdown = Shutdown()
    settings = loader_settings.model_copy(update={
        "loader_database_url": "postgresql://shopflow_loader@127.0.0.1:1/nowhere"})
    loader = Loader(settings, record_dead_letters, shutdown)
    timer = threading.Timer(1.5, shutdown.request)
    timer.start()
    with pytest.raises(psycopg.OperationalError):
        loader.load(as_messages([]))
    assert shutdown.requested


def test_batch_status_per_stage_and_the_batches_command(
        loader_settings: Settings, database: TestDatabase, feed: list[BatchFeed],
        monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = feed[0], feed[1]
    loader = Loader(loader_settings, record_dead_letters)
    try:
        loader.load(as_messages(control_messages(loader_settings, first)
                                + record_messages(loader_settings, first)))
        loader.load(as_messages(control_messages(loader_settings, second)[:-1], 10**6))
    finally:
        loader.close()
    with psycopg.connect(database.url) as conn:
        statuses = {b.batch_id: b for b in list_batches(conn)}
        detail = batch_detail(conn, first.batch_id)
        assert batch_detail(conn, "no-such-batch") is None
    done, waiting = statuses[first.batch_id], statuses[second.batch_id]
    assert (done.stage, done.pending, done.completions) == ("complete", 0, 1)
    assert done.loaded == sum(len(f.valid) for f in first.published)
    assert (waiting.stage, waiting.loaded, waiting.records_published) == ("opened", 0, None)
    assert detail is not None
    assert {f.file_name: (f.status, f.loaded, f.rejected) for f in detail.files} == {
        f.name: (f.outcome if f.outcome != "published" else "published",
                 len(f.valid), len(f.dead)) for f in first.files}

    monkeypatch.setenv("SHOPFLOW_DATABASE_URL", database.url)
    monkeypatch.setenv("COLUMNS", "200")
    get_settings.cache_clear()
    try:
        runner = CliRunner()
        listing = runner.invoke(app, ["batches"])
        one = runner.invoke(app, ["batches", first.batch_id])
        missing = runner.invoke(app, ["batches", "nope"])
    finally:
        get_settings.cache_clear()
    assert listing.exit_code == 0, listing.output
    assert first.batch_id in listing.stdout and second.batch_id in listing.stdout
    assert "complete" in listing.stdout
    assert one.exit_code == 0 and all(f.name in one.stdout for f in first.files)
    assert missing.exit_code == 1 and "no batch" in missing.stderr
