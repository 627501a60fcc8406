"""The loader's database work, in process: staging exactly once, the ledger, completion.

Messages are built the way the consumer would hand them over (valid records in
chunks of 20, so that a file spans several chunks and message batches); the
database is the real PostgreSQL (one fresh database per test).
"""

from __future__ import annotations

import contextlib
import json
import random
import threading

import psycopg
import pytest
from confluent_kafka import Consumer, TopicPartition
from typer.testing import CliRunner

from shopflow.cli.main import app
from shopflow.dlq.record import record_dead_letters
from shopflow.events import (
    BatchCompleted,
    BatchPublished,
    FilePublished,
    decode_event,
    encode_event,
)
from shopflow.load import transaction
from shopflow.load.loader import Loader
from shopflow.load.messages import loader_topics
from shopflow.load.status import batch_detail, list_batches
from shopflow.runtime.kafka import BatchConsumer
from shopflow.runtime.loop import ProcessingLoop
from shopflow.runtime.settings import Settings, get_settings
from shopflow.runtime.shutdown import Shutdown
from shopflow.topics import control_topic, create_topics, dlq_topic, valid_topic
from tests.conftest import TestDatabase
from tests.integration.loader.feed import (
    BatchFeed,
    Out,
    as_messages,
    canonical_record,
    control_messages,
    dead_letter,
    expected_counts,
    origin_of,
    publish,
    record_messages,
    valid_chunk,
)
from tests.integration.loader.support import (
    completions,
    dead_letter_counts,
    generated_feed,
    ledger_counts,
    staging_counts,
)

pytestmark = pytest.mark.integration
CHUNK_RECORDS = 20


@pytest.fixture
def loader_settings(settings: Settings, database: TestDatabase) -> Settings:
    return settings.model_copy(update={
        "database_url": database.url, "chunk_max_records": CHUNK_RECORDS,
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
        events = load_in_batches(loader, all_messages(loader_settings, feed, order), 40)
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
    orders_file, items_file = (origin_of(batch_id, "orders.csv", "orders"),
                               origin_of(batch_id, "order_items.csv", "order_items"))
    messages = [valid_chunk(s, orders_file, [(2, canonical_record("orders", order))]),
                dead_letter(s, items_file, 2, bad_item, "out_of_range")]
    control = [FilePublished(batch_id=batch_id, file="orders.csv", entity="orders",
                             sha256="a", records=1),
               FilePublished(batch_id=batch_id, file="order_items.csv", entity="order_items",
                             sha256="b", records=1),
               BatchPublished(batch_id=batch_id, files_published=2, records=2)]
    messages += [(control_topic(s), None, e.model_dump_json().encode(), []) for e in control]
    replayed = [valid_chunk(s, items_file, [(2, canonical_record("order_items", item))],
                            replay_id="r-1")]
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
                                                caplog: pytest.LogCaptureFixture) -> None:
    """A loader started before its database exists keeps retrying the same batch in the
    processing loop, with no offset stored; shutdown stops it, the batch unacknowledged."""
    s = loader_settings.model_copy(update={
        "loader_database_url": "postgresql://shopflow_loader@127.0.0.1:1/nowhere"})
    create_topics(s, loader_topics(s))
    event = BatchPublished(batch_id="b-outage", files_published=0, records=0)
    publish(s, [(control_topic(s), b"b-outage", encode_event(event), [])])
    group = f"{s.consumer_group_prefix}.loader"
    consumer = BatchConsumer(s, group, loader_topics(s), "loader")
    loader, shutdown, attempts = Loader(s, record_dead_letters), Shutdown(), []

    def handle(messages: list) -> None:
        attempts.append(len(messages))
        if len(attempts) >= 3:  # seen retrying: stop (the timer only bounds a stuck loop)
            shutdown.request()
        loader.handle(messages)

    timer = threading.Timer(60.0, shutdown.request)
    timer.start()
    caplog.set_level("WARNING")
    try:
        ProcessingLoop(consumer, handle, shutdown).run()  # returns once shutdown is asked
    finally:
        timer.cancel()
        loader.close()
    assert shutdown.requested
    assert len(attempts) >= 3 and set(attempts) == {1}, attempts  # the same batch, retried
    assert "database unavailable, retrying" in caplog.text
    checker = Consumer({"bootstrap.servers": s.kafka_bootstrap, "group.id": group})
    try:
        committed = checker.committed([TopicPartition(control_topic(s), p)
                                       for p in range(s.topic_partitions)], timeout=10)
    finally:
        checker.close()
    assert all(tp.offset < 0 for tp in committed), committed  # nothing acknowledged


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
    assert (done.stage, done.pending, done.completions) == ("load done", 0, 1)
    assert [s.status for s in done.stages] == ["done", "done", "done", "pending"]
    assert done.loaded == sum(len(f.valid) for f in first.published)
    assert (waiting.stage, waiting.loaded, waiting.records_published) == (
        "ingest running", 0, None)
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
    assert "load done" in listing.stdout and "ingest running" in listing.stdout
    assert one.exit_code == 0 and all(f.name in one.stdout for f in first.files)
    assert missing.exit_code == 1 and "no batch" in missing.stderr


def test_unusable_messages_are_skipped_and_the_rest_of_the_batch_loads(
        loader_settings: Settings, database: TestDatabase, feed: list[BatchFeed]) -> None:
    s, batch = loader_settings, feed[0]
    records = record_messages(s, batch)
    chunks = [m for m in records if m[0].startswith(f"{s.topic_prefix}.valid.")]
    orders = valid_topic(s, "orders")
    foreign = next(m for m in chunks if m[0] != orders)  # another entity's chunk
    broken: list[Out] = [
        (orders, None, b"{broken", []),
        (orders, None, foreign[2], []),  # on the wrong topic
        (orders, None, chunks[0][2].replace(b'"kind":"valid"', b'"kind":"raw"'), []),
        (orders, None, chunks[0][2].replace(b'"line":', b'"lines":'), []),
        (orders, None, chunks[0][2].replace(b'"v":1', b'"v":2'), []),
        (dlq_topic(s, "orders"), None, b"x", []),  # a dead letter without its envelope
    ]
    messages = control_messages(s, batch) + broken + records + chunks[:3]  # 3 chunks twice
    loader = Loader(s, record_dead_letters)
    try:
        result = loader.load(as_messages(messages))
    finally:
        loader.close()
    assert [e.batch_id for e in result.completed] == [batch.batch_id]
    expected = expected_counts([batch])
    assert staging_counts(database.url) == {k: v[0] for k, v in expected.items() if v[0]}
    assert ledger_counts(database.url) == expected


def test_a_record_the_staging_table_refuses_is_a_dead_letter_and_the_rest_loads(
        loader_settings: Settings, database: TestDatabase) -> None:
    """Before decision 0056 this stopped the loader (BatchLoadError, nothing loaded);
    test_refusals.py covers the dead letters themselves."""
    s = loader_settings
    create_topics(s, loader_topics(s))
    order = {"order_id": "o-1", "customer_id": "c-1", "order_ts": "2026-02-03T23:30:00Z",
             "status": "paid", "currency": "EUR"}
    good = canonical_record("orders", order)
    refused = good.replace(b'"2026-02-03T23:30:00Z"', b'"the day after tomorrow"')
    origin = origin_of("b-refused", "orders.csv", "orders")
    messages = as_messages([valid_chunk(s, origin, [(2, good), (3, refused)])], 40)
    loader = Loader(s, record_dead_letters)
    try:
        result = loader.load(messages)
    finally:
        loader.close()
    assert staging_counts(database.url) == {("b-refused", "orders.csv"): 1}
    [letter] = result.refused
    assert (letter.entry.line, letter.entry.record) == (3, refused)
    assert "invalid input syntax for type timestamp with time zone" in letter.message
