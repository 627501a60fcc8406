"""record_dead_letters: DLQ messages into ops.dead_letters, idempotent, as the loader role."""

from __future__ import annotations

import json

import psycopg
import pytest

from shopflow.dlq import record_dead_letters
from shopflow.events import H_BATCH_ID, H_ENTITY, H_ERR_ATTEMPT, H_LINE, H_SOURCE_FILE
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, raw_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.support import prepare_topics, read_messages, run_validator

pytestmark = pytest.mark.integration


def produce_bad(settings: Settings, lines: list[int], attempt: int | None = None) -> None:
    producer = EventProducer(settings)
    for line in lines:
        headers = {H_BATCH_ID: "b1", H_SOURCE_FILE: "reviews.csv", H_LINE: str(line),
                   H_ENTITY: "reviews"}
        if attempt is not None:
            headers[H_ERR_ATTEMPT] = str(attempt)
        record = {"review_id": f"r{line}", "order_id": "o1", "rating": "9",
                  "review_ts": "2026-01-01T00:00:00Z"}
        producer.produce(raw_topic(settings, "reviews"), json.dumps(record).encode(),
                         f"r{line}", [(k, v.encode()) for k, v in headers.items()])
    producer.flush()


def rows(database: TestDatabase) -> list[tuple]:
    with psycopg.connect(database.url) as conn:
        return conn.execute(
            "SELECT line_number, entity, codes, attempt, errors->0->>'field', payload IS NOT NULL,"
            " dlq_topic, first_failed_at <= last_failed_at FROM ops.dead_letters"
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
    assert rows(database) == [(2, "reviews", ["out_of_range"], 1, "rating", True, topic, True),
                              (3, "reviews", ["out_of_range"], 1, "rating", True, topic, True)]

    produce_bad(settings, [3], attempt=1)  # line 3 replayed, failing again
    run_validator(settings, expected_outputs=3)
    again = read_messages(settings, [topic])
    with psycopg.connect(settings.database_url_for("loader")) as conn:
        assert record_dead_letters(conn, again) == {}  # a re-failure is not a new rejection
        conn.commit()
    assert [(r[0], r[3]) for r in rows(database)] == [(2, 1), (3, 2)]


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
