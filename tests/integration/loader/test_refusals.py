"""Records the database refuses become dead letters; the loader never stops on them.

Real broker, real PostgreSQL (decision 0056). Valid chunks carry records PostgreSQL
refuses (a NUL in a text value, integers beyond the column's range, text where a number
belongs, a null in a required column): before, one such record stopped the loader
(BatchLoadError, a crash loop on redelivery) or, for a NUL, its whole chunk was skipped.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import orjson
import psycopg
import pytest

from shopflow.dlq.record import record_dead_letters
from shopflow.events import BatchPublished, FilePublished, encode_event, header_map
from shopflow.load import ledger
from shopflow.load.loader import Loader
from shopflow.load.messages import loader_topics
from shopflow.runtime.metrics import RECORDS_REJECTED
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, create_topics, dlq_topic, valid_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.support import read_messages
from tests.integration.loader.feed import (
    Out,
    as_messages,
    canonical_record,
    dead_letter,
    origin_of,
    publish,
    valid_chunk,
)
from tests.integration.loader.processes import LoaderProcess
from tests.integration.loader.support import (
    completions,
    ledger_counts,
    read_completed_events,
    staging_counts,
    wait_until,
)

pytestmark = pytest.mark.integration
BATCH = "b-refusals"
ORDER = {"order_id": "o-1", "customer_id": "c-1", "order_ts": "2026-02-03T23:30:00Z",
         "status": "paid", "currency": "EUR"}
ITEM = {"order_id": "o-1", "line_number": "1", "product_id": "p-1", "quantity": "2",
        "unit_price": "5.00"}


def changed(entity: str, mapping: dict[str, Any], **values: Any) -> bytes:
    """A canonical record with some values replaced (as a producer other than our
    validator, or an older contract, might write them); keys stay sorted."""
    record = orjson.loads(canonical_record(entity, mapping))
    record.update(values)
    return orjson.dumps(record, option=orjson.OPT_SORT_KEYS)


def good(entity: str, mapping: dict[str, Any], **values: str) -> bytes:
    return canonical_record(entity, {**mapping, **values})


def control(s: Settings, files: dict[str, tuple[str, int]]) -> list[Out]:
    events = [FilePublished(batch_id=BATCH, file=name, entity=entity, sha256=name,
                            records=records) for name, (entity, records) in files.items()]
    events.append(BatchPublished(batch_id=BATCH, files_published=len(files),
                                 records=sum(r for _, r in files.values())))
    return [(control_topic(s), BATCH.encode(), encode_event(e), []) for e in events]


def letters(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT source_file, line_number, codes, errors->0->>'message', "
            "errors->0->>'field', attempt, original_position, payload, record_key "
            "FROM ops.dead_letters ORDER BY 1, 2").fetchall()


def rejected_metric(entity: str, code: str) -> float:
    return RECORDS_REJECTED.labels("loader", entity, code)._value.get()


def test_records_the_database_refuses_become_dead_letters_and_the_batch_completes_once(
        platform_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    """The real loader service: every record the database refuses is one dead letter with
    code refused_by_database, every other record is loaded, the loader keeps running,
    loaded + rejected = published, and the batch completes exactly once."""
    s = platform_settings
    create_topics(s, loader_topics(s))
    orders = origin_of(BATCH, "orders.jsonl", "orders")
    items = origin_of(BATCH, "order_items.csv", "order_items")
    nul = changed("orders", {**ORDER, "order_id": "o-3"}, customer_id="c-\x00")
    refused_items = {
        3: changed("order_items", ITEM, quantity=3_000_000_000),
        4: changed("order_items", ITEM, line_number=3_000_000_000),
        5: changed("order_items", ITEM, product_id=None),
        6: changed("order_items", ITEM, unit_price="five"),
    }
    messages = [
        valid_chunk(s, orders, [(2, good("orders", ORDER)), (3, nul),
                                (4, good("orders", ORDER, order_id="o-4"))]),
        valid_chunk(s, items, [(10, good("order_items", ITEM, line_number="10")),
                               (11, good("order_items", ITEM, line_number="11"))]),
        valid_chunk(s, items, [(2, good("order_items", ITEM)), *refused_items.items(),
                               (7, good("order_items", ITEM, line_number="7"))]),
        *control(s, {"orders.jsonl": ("orders", 3), "order_items.csv": ("order_items", 8)}),
    ]
    publish(s, messages)
    loader = LoaderProcess(s, tmp_path).start()
    try:
        wait_until(lambda: completions(database.url).get(BATCH, 0) >= 1, 60,
                   "the batch complete", check=loader.assert_running)
        [event] = read_completed_events(s, expect=1)
        _, metrics = loader.get("/metrics")
        loader.assert_running()
    finally:
        assert loader.stop() == 0
    assert (event.batch_id, event.sequence, event.loaded, event.rejected) == (BATCH, 1, 6, 5)
    assert completions(database.url) == {BATCH: 1}
    assert staging_counts(database.url) == {(BATCH, "orders.jsonl"): 2,
                                            (BATCH, "order_items.csv"): 4}
    assert ledger_counts(database.url) == {(BATCH, "orders.jsonl"): (2, 1),
                                           (BATCH, "order_items.csv"): (4, 4)}
    rows = letters(database.url)
    assert [(f, line, codes, attempt, position) for f, line, codes, _, _, attempt, position,
            _, _ in rows] == [
        ("order_items.csv", 3, ["refused_by_database"], 1, 1),
        ("order_items.csv", 4, ["refused_by_database"], 1, 2),
        ("order_items.csv", 5, ["refused_by_database"], 1, 3),
        ("order_items.csv", 6, ["refused_by_database"], 1, 4),
        ("orders.jsonl", 3, ["refused_by_database"], 1, 1)]
    by_line = {(r[0], r[1]): r for r in rows}
    assert "out of range for type integer" in by_line[("order_items.csv", 3)][3]
    assert "out of range for type integer" in by_line[("order_items.csv", 4)][3]
    assert "null value" in by_line[("order_items.csv", 5)][3]
    assert by_line[("order_items.csv", 5)][4] == "product_id"
    assert "invalid input syntax for type numeric" in by_line[("order_items.csv", 6)][3]
    assert "NUL character" in by_line[("orders.jsonl", 3)][3]
    # the letters carry the records as they came in the chunk, with their own keys
    for line, record in refused_items.items():
        assert bytes(by_line[("order_items.csv", line)][7]) == record
        assert bytes(by_line[("order_items.csv", line)][8]) == f"order_items.csv:{line}".encode()
    assert bytes(by_line[("orders.jsonl", 3)][7]) == nul
    assert 'code="refused_by_database"' in metrics
    [letter] = [m for m in read_messages(s, [dlq_topic(s, "orders")])]
    headers = header_map(letter.headers())  # type: ignore[arg-type]
    [chunk] = [m for m in read_messages(s, [valid_topic(s, "orders")])]
    assert headers["shopflow.errors.original.topic"] == valid_topic(s, "orders")
    assert (headers["shopflow.errors.original.partition"],
            headers["shopflow.errors.original.offset"],
            headers["shopflow.errors.original.position"]) == \
        (str(chunk.partition()), str(chunk.offset()), "1")
    assert (headers["shopflow.batch_id"], headers["shopflow.source_file"],
            headers["shopflow.line_number"], headers["shopflow.errors.attempt"],
            headers["shopflow.errors.count"]) == (BATCH, "orders.jsonl", "3", "1", "1")
    assert headers["shopflow.errors.first_failed_at"]


@pytest.fixture
def loader_settings(platform_settings: Settings) -> Settings:
    create_topics(platform_settings, loader_topics(platform_settings))
    return platform_settings


def load_with_letters(loader: Loader, s: Settings, messages: list[Out],
                      offset: int = 0) -> list:
    """Load the messages, then the dead letters the loader produced (as it would consume
    them from its own dead-letter topics); the completions of both."""
    first = loader.load(as_messages(messages, offset))
    produced = read_messages(s, [dlq_topic(s, e) for e in ("orders", "order_items")])
    second = loader.load(produced)
    return [*first.completed, *second.completed]


def test_a_crash_between_producing_the_letters_and_the_commit_redoes_both(
        loader_settings: Settings, database: TestDatabase,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The letters are acknowledged before the commit; a crash after that rolls the
    staging rows back and the redelivered batch produces the letters again: the ledger
    counts each record once and the batch completes once."""
    s = loader_settings
    items = origin_of(BATCH, "order_items.csv", "order_items")
    messages = [valid_chunk(s, items, [(2, good("order_items", ITEM)),
                                       (3, changed("order_items", ITEM, quantity=-(2**40)))]),
                *control(s, {"order_items.csv": ("order_items", 2)})]
    real_lock = ledger.lock_batches

    def crash(*args: Any) -> list[str]:
        raise RuntimeError("killed between the letters and the commit")

    monkeypatch.setattr(ledger, "lock_batches", crash)
    loader = Loader(s, record_dead_letters)
    try:
        with pytest.raises(RuntimeError):
            loader.load(as_messages(messages))
        assert staging_counts(database.url) == {}
        monkeypatch.setattr(ledger, "lock_batches", real_lock)
        completed = load_with_letters(loader, s, messages, 100)  # redelivered
    finally:
        loader.close()
    produced = read_messages(s, [dlq_topic(s, "order_items")])
    assert len(produced) == 2  # once per attempt to load the batch
    assert [(e.batch_id, e.sequence, e.loaded, e.rejected) for e in completed] == \
        [(BATCH, 1, 1, 1)]
    assert ledger_counts(database.url) == {(BATCH, "order_items.csv"): (1, 1)}
    assert [(r[1], r[2]) for r in letters(database.url)] == [(3, ["refused_by_database"])]


def test_a_refused_replay_comes_back_with_attempt_plus_one_and_the_original_is_kept(
        loader_settings: Settings, database: TestDatabase) -> None:
    """A replayed record the database refuses again: its letter says attempt 2 and the
    first failure of attempt 1; the ledger keeps the original bytes and both attempts."""
    s = loader_settings
    items = origin_of(BATCH, "order_items.csv", "order_items")
    original = b'{"order_id":"o-1","quantity":"lots"}'
    first = dead_letter(s, items, 3, original, "invalid_type")
    replayed = changed("order_items", ITEM, quantity=2**33)
    chunk = valid_chunk(s, items, [(2, good("order_items", ITEM)), (3, replayed)],
                        replay_id="replay-7")
    loader = Loader(s, record_dead_letters)
    try:
        completed = load_with_letters(
            loader, s, [first, chunk, *control(s, {"order_items.csv": ("order_items", 2)})])
    finally:
        loader.close()
    [letter] = read_messages(s, [dlq_topic(s, "order_items")])
    headers = header_map(letter.headers())  # type: ignore[arg-type]
    assert (headers["shopflow.errors.attempt"], headers["shopflow.replay_id"],
            headers["shopflow.errors.first_failed_at"]) == \
        ("2", "replay-7", "2026-03-01T00:00:00Z")
    assert letter.value() == replayed
    assert [(e.loaded, e.rejected) for e in completed] == [(1, 1)]
    with psycopg.connect(database.url) as conn:
        row = conn.execute("SELECT attempt, codes, payload, replay_id FROM ops.dead_letters"
                           ).fetchone()
        attempts = conn.execute("SELECT attempt, codes, payload FROM ops.dead_letter_attempts "
                                "ORDER BY attempt").fetchall()
    assert row is not None
    assert (row[0], row[1], bytes(row[2]), row[3]) == \
        (2, ["refused_by_database"], original, "replay-7")
    assert [(a, c, bytes(p)) for a, c, p in attempts] == [
        (1, ["invalid_type"], original), (2, ["refused_by_database"], replayed)]


def test_entries_without_a_storable_line_or_record_are_dead_letters_not_lost_chunks(
        loader_settings: Settings, database: TestDatabase,
        caplog: pytest.LogCaptureFixture) -> None:
    """An entry whose line number PostgreSQL cannot store (2^31) and one without a record
    object: the chunk's other records load. The entry without a record is a recorded dead
    letter; the one without a storable line cannot enter the ledger (its identity does not
    fit): its letter keeps the bytes, and reading it back is logged and counted."""
    s = loader_settings
    orders = origin_of(BATCH, "orders.jsonl", "orders")
    out = valid_chunk(s, orders, [(2, good("orders", ORDER)),
                                  (3, good("orders", ORDER, order_id="o-3")),
                                  (4, good("orders", ORDER, order_id="o-4"))])
    data = orjson.loads(out[2])
    data["records"][1]["line"] = 2**31
    data["records"][2]["record"] = "not an object"
    chunk: Out = (out[0], out[1], orjson.dumps(data), out[3])
    unloadable = rejected_metric("orders", "unloadable")
    caplog.set_level(logging.WARNING)
    loader = Loader(s, record_dead_letters)
    try:
        completed = load_with_letters(
            loader, s, [chunk, *control(s, {"orders.jsonl": ("orders", 3)})])
    finally:
        loader.close()
    assert completed == []  # one record cannot be accounted for: visibly pending
    assert staging_counts(database.url) == {(BATCH, "orders.jsonl"): 1}
    assert ledger_counts(database.url) == {(BATCH, "orders.jsonl"): (1, 1)}
    [row] = letters(database.url)
    assert (row[1], row[2], row[6]) == (4, ["refused_by_database"], 2)
    assert "no record object" in row[3]
    produced = read_messages(s, [dlq_topic(s, "orders")])
    assert sorted(header_map(m.headers())["shopflow.line_number"]  # type: ignore[arg-type]
                  for m in produced) == ["2147483648", "4"]
    assert rejected_metric("orders", "unloadable") == unloadable + 1
    assert "dead letter not recorded" in caplog.text


def test_one_bad_record_among_many_chunks_costs_only_its_own_chunk(
        loader_settings: Settings, database: TestDatabase) -> None:
    """Isolation is chunk by chunk first: 20 chunks of 50 records with one refused record
    load 999 rows and one letter, in one transaction."""
    s = loader_settings
    items = origin_of(BATCH, "order_items.csv", "order_items")
    chunks = []
    for c in range(20):
        lines = range(2 + c * 50, 2 + (c + 1) * 50)
        chunks.append(valid_chunk(s, items, [
            (n, changed("order_items", ITEM, quantity=2**31) if n == 500
             else good("order_items", ITEM, line_number=str(n))) for n in lines]))
    loader = Loader(s, record_dead_letters)
    try:
        result = loader.load(as_messages(chunks))
    finally:
        loader.close()
    assert result.inserted_by_entity() == {"order_items": 999}
    assert [(r.entry.line, r.entry.position) for r in result.refused] == [(500, 48)]
    [letter] = read_messages(s, [dlq_topic(s, "order_items")])
    headers = header_map(letter.headers())  # type: ignore[arg-type]
    assert headers["shopflow.errors.codes"] == "refused_by_database"
