"""record_dead_letters: DLQ messages into ops.dead_letters, idempotent, as the loader role."""

from __future__ import annotations

import json
import logging

import psycopg
import pytest
from confluent_kafka import Message

from contracts.chunk import (
    H_CHUNK_VERSION,
    FileOrigin,
    ReplayMark,
    chunk_key,
    encode_chunk,
    raw_entry,
)
from shopflow.dlq import record_dead_letters
from shopflow.events import (
    H_ERR_COUNT,
    H_ERR_DETAIL_CUT,
    BatchPublished,
    FilePublished,
    encode_event,
    header_map,
)
from shopflow.load.loader import Loader
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.metrics import RECORDS_REJECTED
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, dlq_topic, raw_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.support import prepare_topics, read_messages, run_validator

pytestmark = pytest.mark.integration
ORIGIN = FileOrigin("b1", "reviews.csv", "reviews", 1, "csv")


def produce_bad(settings: Settings, lines: list[int], attempt: int | None = None) -> None:
    """One raw chunk of failing review records (replayed ones when `attempt` is given)."""
    entries = []
    for line in lines:
        record = {"review_id": f"r{line}", "order_id": "o1", "rating": "9",
                  "review_ts": "2026-01-01T00:00:00Z"}
        replay = None if attempt is None else ReplayMark(
            replay_id="replay-1", attempt=attempt, first_failed_at="2026-01-01T00:00:00Z")
        entries.append(raw_entry(line, f"r{line}".encode(), json.dumps(record).encode(),
                                 replay=replay))
    producer = EventProducer(settings)
    producer.produce(raw_topic(settings, "reviews"), encode_chunk("raw", ORIGIN, entries),
                     chunk_key(ORIGIN, lines[0]), [(H_CHUNK_VERSION, b"1")])
    producer.flush()


def rows(database: TestDatabase) -> list[tuple]:
    with psycopg.connect(database.url) as conn:
        return conn.execute(
            "SELECT line_number, entity, codes, attempt, errors->0->>'field', payload IS NOT NULL,"
            " dlq_topic, first_failed_at <= last_failed_at, original_position, replay_id"
            " FROM ops.dead_letters"
            " ORDER BY line_number").fetchall()


def test_letters_are_recorded_once_and_updated_on_refailure(
        platform_settings: Settings, database: TestDatabase) -> None:
    settings = platform_settings
    prepare_topics(settings)
    produce_bad(settings, [2, 3])
    run_validator(settings, expected_outputs=2)
    first = read_messages(settings, [dlq_topic(settings, "reviews")])

    with psycopg.connect(settings.database_url_for("loader")) as conn:
        assert record_dead_letters(conn, first) == {("b1", "reviews.csv"): 2}
        assert record_dead_letters(conn, first) == {}  # redelivered: nothing new
        conn.commit()
    topic = dlq_topic(settings, "reviews")
    assert rows(database) == [
        (2, "reviews", ["out_of_range"], 1, "rating", True, topic, True, 0, None),
        (3, "reviews", ["out_of_range"], 1, "rating", True, topic, True, 1, None)]

    produce_bad(settings, [3], attempt=1)  # line 3 replayed, failing again
    run_validator(settings, expected_outputs=3)
    again = read_messages(settings, [topic])
    with psycopg.connect(settings.database_url_for("loader")) as conn:
        assert record_dead_letters(conn, again) == {}  # a re-failure is not a new rejection
        conn.commit()
    assert [(r[0], r[3], r[8], r[9]) for r in rows(database)] == [
        (2, 1, 0, None), (3, 2, 0, "replay-1")]


def test_nothing_is_written_without_the_callers_commit(
        platform_settings: Settings, database: TestDatabase) -> None:
    settings = platform_settings
    prepare_topics(settings)
    produce_bad(settings, [5])
    run_validator(settings, expected_outputs=1)
    messages = read_messages(settings, [dlq_topic(settings, "reviews")])
    with psycopg.connect(settings.database_url_for("loader")) as conn:
        with conn.cursor() as cursor:
            assert record_dead_letters(cursor, messages) == {("b1", "reviews.csv"): 1}
        conn.rollback()
    assert rows(database) == []


JSONL = FileOrigin("b1", "reviews.jsonl", "reviews", 1, "jsonl")
REVIEW = {"review_id": "r1", "order_id": "o1", "rating": 4, "review_ts": "2026-01-01T00:00:00Z"}


def produce_raw(settings: Settings, records: dict[int, bytes]) -> None:
    """One raw JSON Lines chunk of these (line, original bytes) reviews."""
    entries = [raw_entry(line, b"r%d" % line, value) for line, value in records.items()]
    producer = EventProducer(settings)
    producer.produce(raw_topic(settings, "reviews"), encode_chunk("raw", JSONL, entries),
                     chunk_key(JSONL, min(records)), [(H_CHUNK_VERSION, b"1")])
    producer.flush()


def letter(headers: dict[str, bytes], value: bytes = b"{}", offset: int = 0,
           line: bytes = b"2") -> Message:
    base = {"shopflow.batch_id": b"b1", "shopflow.source_file": b"reviews.jsonl",
            "shopflow.line_number": line, "shopflow.entity": b"reviews",
            "shopflow.contract_version": b"1", "shopflow.errors.attempt": b"1"}
    return Message(topic="p.dlq.reviews", partition=0, offset=offset, key=b"k", value=value,
                   headers=list({**base, **headers}.items()), timestamp=(1, 1767225600000))


def ledger(database: TestDatabase) -> list[tuple]:
    with psycopg.connect(database.url) as conn:
        return conn.execute(
            "SELECT line_number, codes, errors, attempt, payload, replay_id, original_partition,"
            " original_offset, contract_version FROM ops.dead_letters ORDER BY 1").fetchall()


def test_a_json_lines_key_holding_nul_is_recorded_with_the_nul_escaped(
        platform_settings: Settings, database: TestDatabase) -> None:
    """A record with a key "x\\u0000y": the validator reports it as an unknown field, whose
    name (in the headers and the detail) holds a NUL that PostgreSQL text and jsonb refuse.
    Before, recording the letter failed (and stopped the loader)."""
    settings = platform_settings
    prepare_topics(settings)
    value = json.dumps({**REVIEW, "x\u0000y": 1}).encode()
    produce_raw(settings, {2: value})
    run_validator(settings, expected_outputs=1)
    messages = read_messages(settings, [dlq_topic(settings, "reviews")])
    with psycopg.connect(settings.database_url_for("loader")) as conn:
        assert record_dead_letters(conn, messages) == {("b1", "reviews.jsonl"): 1}
        conn.commit()
    [(line, codes, errors, _, payload, *_)] = ledger(database)
    assert (line, codes, bytes(payload)) == (2, ["unknown_field"], value)  # bytes unchanged
    assert errors[0]["field"] == "x\\u0000y"  # visible, not dropped


def test_header_texts_and_numbers_postgresql_refuses_never_stop_the_ledger(
        platform_settings: Settings, database: TestDatabase) -> None:
    detail = (b'[{"code":"unknown_field","field":"a\\u0000b","message":"m\\ud800",'
              b'"score":NaN}]')
    msg = letter({"shopflow.errors.codes": b"unknown_field,x\x00",
                  "shopflow.errors.detail": detail,
                  "shopflow.replay_id": b"replay-\x00",
                  "shopflow.errors.original.topic": b"t\x00",
                  "shopflow.errors.original.partition": b"99999999999",
                  "shopflow.errors.original.offset": b"99999999999999999999999",
                  "shopflow.errors.contract_version": b"--5",
                  "shopflow.errors.attempt": b"2"})
    with psycopg.connect(platform_settings.database_url_for("loader")) as conn:
        assert record_dead_letters(conn, [msg]) == {("b1", "reviews.jsonl"): 1}
        conn.commit()
    [(line, codes, errors, attempt, _, replay_id, partition, offset, version)] = \
        ledger(database)
    assert (line, codes, attempt, replay_id) == \
        (2, ["unknown_field", "x\\u0000"], 2, "replay-\\u0000")
    assert errors == [{"code": "unknown_field", "field": "a\\u0000b", "message": "m\\ud800",
                       "score": "nan"}]
    assert (partition, offset, version) == (None, None, None)  # out of their columns' range


def test_a_letter_with_a_line_number_out_of_range_is_logged_counted_and_skipped(
        platform_settings: Settings, database: TestDatabase,
        caplog: pytest.LogCaptureFixture) -> None:
    before = RECORDS_REJECTED.labels("loader", "reviews", "unloadable")._value.get()
    caplog.set_level(logging.WARNING)
    with psycopg.connect(platform_settings.database_url_for("loader")) as conn:
        assert record_dead_letters(conn, [letter({}, line=b"2147483648"),
                                          letter({}, line=b"0", offset=1)]) == {}
    assert ledger(database) == []
    assert caplog.text.count("is not recorded") == 2
    assert RECORDS_REJECTED.labels("loader", "reviews", "unloadable")._value.get() == before + 2


def test_a_letter_with_20000_unknown_keys_keeps_every_error_and_its_batch_completes(
        platform_settings: Settings, database: TestDatabase) -> None:
    """End to end: the validator bounds the letter's headers (detail cut, count 20,000);
    the loader validates the original bytes again and stores all 20,000 errors; the batch
    completes with the record rejected."""
    settings = platform_settings
    prepare_topics(settings)
    value = json.dumps({**REVIEW, **{f"k{i:05d}": i for i in range(20_000)}}).encode()
    produce_raw(settings, {2: value})
    run_validator(settings, expected_outputs=1)
    [dead] = read_messages(settings, [dlq_topic(settings, "reviews")])
    headers = header_map(dead.headers())  # type: ignore[arg-type]
    assert headers[H_ERR_DETAIL_CUT] == "true" and headers[H_ERR_COUNT] == "20000"
    control = [FilePublished(batch_id="b1", file="reviews.jsonl", entity="reviews",
                             sha256="x", records=1),
               BatchPublished(batch_id="b1", files_published=1, records=1)]
    loader = Loader(settings, record_dead_letters)
    try:
        result = loader.load([dead, *[Message(topic=control_topic(settings), partition=0,
                                              offset=i, value=encode_event(e))
                                      for i, e in enumerate(control)]])
    finally:
        loader.close()
    assert [(e.batch_id, e.loaded, e.rejected) for e in result.completed] == [("b1", 0, 1)]
    with psycopg.connect(database.url) as conn:
        [(count, fields, codes)] = conn.execute(
            "SELECT jsonb_array_length(errors), (SELECT count(DISTINCT e->>'field') FROM "
            "jsonb_array_elements(errors) e), codes FROM ops.dead_letters").fetchall()
    assert (count, fields, codes) == (20_000, 20_000, ["unknown_field"])


def test_a_cut_detail_that_cannot_be_validated_again_says_how_many_errors_are_missing(
        platform_settings: Settings, database: TestDatabase) -> None:
    detail = json.dumps([{"code": "unknown_field", "field": f"k{i}", "message": "m"}
                         for i in range(3)]).encode()
    msg = letter({"shopflow.errors.codes": b"unknown_field", "shopflow.errors.detail": detail,
                  H_ERR_DETAIL_CUT: b"true", H_ERR_COUNT: b"500",
                  "shopflow.errors.contract_version": b"99"})  # no such contract version
    with psycopg.connect(platform_settings.database_url_for("loader")) as conn:
        record_dead_letters(conn, [msg])
        conn.commit()
    [(_, _, errors, *_)] = ledger(database)
    assert [e["field"] for e in errors[:3]] == ["k0", "k1", "k2"]
    assert errors[3]["code"] == "not_listed" and errors[3]["not_listed"] == 497
    assert errors[3]["message"].startswith("497 errors were not listed")


def test_every_attempt_is_kept_and_the_ledger_keeps_the_original_payload(
        platform_settings: Settings, database: TestDatabase) -> None:
    """An edited replay that fails again: ops.dead_letters keeps attempt 1's bytes and key
    and follows the latest attempt's codes and errors; ops.dead_letter_attempts has each
    attempt once, whatever the order or number of deliveries."""
    original, edited = b'{"rating": "9"}', b'{"rating": "-1"}'
    first = letter({"shopflow.errors.codes": b"out_of_range"}, original, offset=1)
    second = letter({"shopflow.errors.codes": b"invalid_type",
                     "shopflow.errors.attempt": b"2", "shopflow.replay_id": b"replay-1",
                     "shopflow.errors.first_failed_at": b"2026-01-01T00:00:00+00:00"},
                    edited, offset=2)
    url = platform_settings.database_url_for("loader")
    with psycopg.connect(url) as conn:  # the re-failure is recorded first
        assert record_dead_letters(conn, [second]) == {("b1", "reviews.jsonl"): 1}
        assert record_dead_letters(conn, [first, second, first]) == {}
        conn.commit()
    with psycopg.connect(database.url) as conn:
        row = conn.execute("SELECT attempt, codes, payload, replay_id, first_failed_at "
                           "FROM ops.dead_letters").fetchall()
        attempts = conn.execute(
            "SELECT attempt, codes, payload, replay_id FROM ops.dead_letter_attempts "
            "ORDER BY attempt").fetchall()
    [(attempt, codes, payload, replay_id, first_failed_at)] = row
    assert (attempt, codes, bytes(payload), replay_id) == \
        (2, ["invalid_type"], original, "replay-1")
    assert first_failed_at.isoformat() == "2026-01-01T00:00:00+00:00"
    assert [(a, c, bytes(p), r) for a, c, p, r in attempts] == [
        (1, ["out_of_range"], original, None), (2, ["invalid_type"], edited, "replay-1")]
    with psycopg.connect(platform_settings.database_url_for("api")) as conn:
        assert conn.execute("SELECT count(*) FROM ops.dead_letter_attempts").fetchone() == (2,)
