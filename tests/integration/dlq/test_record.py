"""record_dead_letters: DLQ messages into ops.dead_letters, idempotent, as the loader role."""

from __future__ import annotations

import json

import psycopg
import pytest

from contracts.chunk import (
    H_CHUNK_VERSION,
    FileOrigin,
    ReplayMark,
    chunk_key,
    encode_chunk,
    raw_entry,
)
from shopflow.dlq import record_dead_letters
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, raw_topic
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
