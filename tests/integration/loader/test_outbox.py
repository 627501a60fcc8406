"""The transactional outbox: events leave only after commit, and until the broker acks."""

from __future__ import annotations

import psycopg
import pytest

from shopflow.events import BatchCompleted, encode_event
from shopflow.load import outbox
from shopflow.runtime.errors import DeliveryError
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import control_topic, create_topics
from tests.conftest import TestDatabase
from tests.integration.loader.support import read_completed_events

pytestmark = pytest.mark.integration


def enqueue_completions(url: str, settings: Settings, count: int) -> None:
    with psycopg.connect(url) as conn:
        for n in range(count):
            event = BatchCompleted(batch_id=f"b{n}", loaded=n, rejected=0)
            outbox.enqueue(conn, control_topic(settings), event.batch_id, encode_event(event))
        conn.commit()


def test_unsent_events_survive_a_failed_publish_and_go_out_once_later(
        platform_settings: Settings, database: TestDatabase) -> None:
    url = database.url_as("shopflow_loader")
    create_topics(platform_settings, [control_topic(platform_settings)])
    enqueue_completions(url, platform_settings, 3)
    dead_broker = platform_settings.model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})
    with psycopg.connect(url, autocommit=True) as conn:
        with pytest.raises(DeliveryError):
            outbox.publish_pending(conn, EventProducer(dead_broker, **{
                "message.timeout.ms": 1000}), timeout=5)
        assert outbox.pending_count(conn) == 3  # nothing marked sent

        assert outbox.publish_pending(conn, EventProducer(platform_settings), limit=2) == 3
        assert outbox.pending_count(conn) == 0
        assert outbox.publish_pending(conn, EventProducer(platform_settings)) == 0
    events = read_completed_events(platform_settings, expect=3)
    assert sorted(e.batch_id for e in events) == ["b0", "b1", "b2"]


def test_events_of_a_rolled_back_transaction_never_leave(
        platform_settings: Settings, database: TestDatabase) -> None:
    url = database.url_as("shopflow_loader")
    with psycopg.connect(url) as conn:
        event = BatchCompleted(batch_id="ghost", loaded=1, rejected=0)
        outbox.enqueue(conn, control_topic(platform_settings), "ghost", encode_event(event))
        conn.rollback()
    with psycopg.connect(url, autocommit=True) as conn:
        assert outbox.pending_count(conn) == 0
