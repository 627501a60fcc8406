"""Replays that must not change what they should not: another record's key, or the same
letter twice in one request (issue 12, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shopflow.dlq import Identity
from shopflow.dlq.query import get_dead_letters
from shopflow.dlq.replay import ReplayItem, ReplayRequest, run_replay
from shopflow.ingest.runner import scan_once
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from tests.conftest import TestDatabase
from tests.integration.dlq.test_replay import cli, replay_json, validate_all
from tests.integration.ingestor.fixtures import write_batch
from tests.integration.ingestor.support import prepare_topics

pytestmark = pytest.mark.integration

ORDERS = (
    "order_id,customer_id,order_ts,status,currency\n"
    "o1,c1,2026-01-01T10:00:00Z,lost,EUR\n"
    "o2,c2,2026-01-01T11:00:00Z,lost,EUR\n"
)


def _two_letters(settings: Settings, tmp_path: Path) -> list[dict]:
    prepare_topics(settings)
    write_batch(settings.landing_dir, "batch-1", {"orders.csv": ORDERS})
    scan_once(settings, EventProducer(settings))
    validate_all(settings)
    export = tmp_path / "letters.jsonl"
    cli("dlq", "export", "--out", str(export), "--batch", "batch-1")
    return [json.loads(line) for line in export.read_text().splitlines()]


def test_an_edit_that_changes_the_natural_key_is_refused_unless_allowed(
        cli_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    letters = _two_letters(cli_settings, tmp_path)
    letters[0]["record"].update(status="paid", order_id="o999")  # fixes AND rekeys
    letters[1]["record"].update(status="paid")  # fixes only
    export = tmp_path / "edited.jsonl"
    export.write_text("".join(json.dumps(x) + "\n" for x in letters))

    report = replay_json("--from-file", str(export))
    assert report["skipped"] == {"key_changed": ["batch-1/orders.csv:2"]}
    assert report["resubmitted"] == ["batch-1/orders.csv:3"]
    allowed = replay_json("--from-file", str(export), "--allow-key-change")
    assert allowed["resubmitted"] == ["batch-1/orders.csv:2"]


def test_the_same_letter_twice_in_one_request_is_replayed_once(
        cli_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    _two_letters(cli_settings, tmp_path)
    identity = Identity("batch-1", "orders.csv", 2)
    import psycopg
    with psycopg.connect(database.url) as conn:
        letter = get_dead_letters(conn, [identity])[identity]
        items = [ReplayItem(letter, letter.payload), ReplayItem(letter, letter.payload)]
        request = ReplayRequest("tester", "api", {"letters": 2})
        report = run_replay(cli_settings, conn, EventProducer(cli_settings), items, request)
        assert report.resubmitted == [identity] and report.selected == 1
        assert conn.execute("SELECT count(*) FROM ops.replayed_letters").fetchone() == (1,)
        edited = ReplayItem(letter, b'{"order_id": "o1"}', {"order_id": "o1"}, edited=True)
        second = run_replay(cli_settings, conn, EventProducer(cli_settings),
                            [ReplayItem(letter, letter.payload), edited],
                            ReplayRequest("tester", "api", {}))
        assert second.skipped == {"conflicting_edits": [identity]}


def test_a_failed_edit_is_what_the_next_replay_sends_and_the_original_is_kept(
        cli_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    import psycopg

    from contracts.chunk import decode_chunk, entry_bytes
    from shopflow.topics import raw_topic
    from tests.integration.dlq.test_replay import act_as_loader
    from tests.integration.ingestor.support import read_messages
    letters = _two_letters(cli_settings, tmp_path)
    letters[0]["record"]["status"] = "still-wrong"  # an edit that fails again
    export = tmp_path / "edited.jsonl"
    export.write_text(json.dumps(letters[0]) + "\n")
    assert replay_json("--from-file", str(export))["resubmitted"] == ["batch-1/orders.csv:2"]
    validate_all(cli_settings)  # attempt 2 fails; the loader records it
    act_as_loader(cli_settings)

    second = replay_json("--entity", "orders", "--batch", "batch-1")
    assert "batch-1/orders.csv:2" in second["resubmitted"]
    chunks = [decode_chunk(m.value())
              for m in read_messages(cli_settings, [raw_topic(cli_settings, "orders")])]
    sent = [entry_bytes(e) for c in chunks for e in c.records
            if e["line"] == 2 and e.get("replay", {}).get("replay_id") == second["replay_id"]]
    assert len(sent) == 1 and b"still-wrong" in sent[0]
    with psycopg.connect(database.url) as conn:
        original, attempts = conn.execute(
            "SELECT d.payload, (SELECT count(*) FROM ops.dead_letter_attempts a"
            "  WHERE a.line_number = 2) FROM ops.dead_letters d WHERE line_number = 2"
        ).fetchone()
    assert b"lost" in bytes(original) and b"still-wrong" not in bytes(original)
    assert attempts == 2
