"""Export, edit and replay dead letters with the real CLI, broker, validator and database.

The test plays the loader's part for dead letters (record_dead_letters) so that
the ledger follows what the validator does.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from contracts.chunk import decode_chunk
from shopflow.cli.main import app
from shopflow.dlq import record_dead_letters
from shopflow.ingest.runner import scan_once
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, raw_topic, valid_topic
from tests.conftest import TestDatabase
from tests.integration.ingestor.fixtures import write_batch
from tests.integration.ingestor.support import (
    output_topics,
    prepare_topics,
    read_messages,
    read_topics,
    run_validator,
    topic_size,
)

pytestmark = pytest.mark.integration

ORDERS = (
    "order_id,customer_id,order_ts,status,currency\n"
    "o1,c1,2026-01-01T10:00:00Z,paid,EUR\n"
    "o2,c2,2026-01-01T11:00:00Z,lost,EUR\n"  # fixable: edit the status
    "o3,c3,2026-01-01T12:00:00Z,paid,EURO\n"  # stays bad
)


def cli(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def act_as_loader(settings: Settings) -> None:
    messages = read_messages(settings, [dlq_topic(settings, "orders")])
    with psycopg.connect(settings.database_url_for("loader")) as conn:
        record_dead_letters(conn, messages)


def validate_all(settings: Settings) -> None:
    run_validator(settings, raw_records(settings))
    act_as_loader(settings)


def raw_records(settings: Settings) -> int:
    return len(read_topics(settings, [raw_topic(settings, "orders")]))


def replay_json(*args: str) -> dict:
    return json.loads(cli("dlq", "replay", "--json", *args))


def ledger(database: TestDatabase, sql: str) -> list[tuple]:
    with psycopg.connect(database.url) as conn:
        return conn.execute(sql).fetchall()


def test_export_edit_replay_until_fixed_or_out_of_attempts(
        cli_settings: Settings, database: TestDatabase, tmp_path: Path) -> None:
    settings = cli_settings
    prepare_topics(settings)
    write_batch(settings.landing_dir, "batch-1", {"orders.csv": ORDERS})
    scan_once(settings, EventProducer(settings))
    validate_all(settings)
    listed = cli("dlq", "list", "--entity", "orders")
    assert "batch-1/orders.csv:3" in listed and "batch-1/orders.csv:4" in listed
    assert "invalid_enum" in cli("dlq", "list", "--code", "invalid_enum")
    shown = json.loads(cli("dlq", "show", "batch-1", "orders.csv", "4"))
    assert shown["codes"] == ["invalid_format"] and shown["errors"][0]["field"] == "currency"

    export = tmp_path / "letters.jsonl"
    cli("dlq", "export", "--out", str(export), "--batch", "batch-1")
    letters = [json.loads(line) for line in export.read_text().splitlines()]
    assert [(x["line_number"], x["record"]["status"]) for x in letters] == [(3, "lost"),
                                                                            (4, "paid")]
    letters[0]["record"]["status"] = "delivered"  # the fix
    export.write_text("".join(json.dumps(x) + "\n" for x in letters))

    _dry_run_changes_nothing(settings, database, export)
    first = replay_json("--from-file", str(export))
    assert first["resubmitted"] == ["batch-1/orders.csv:3", "batch-1/orders.csv:4"]
    _check_replayed_messages(settings, first["replay_id"])
    again = replay_json("--from-file", str(export))  # same letters, same attempt
    assert again["resubmitted"] == [] and list(again["skipped"]) == ["already_replayed"]
    assert raw_records(settings) == 5  # nothing resent

    validate_all(settings)
    _check_fixed_record_is_valid(settings, first["replay_id"])
    with psycopg.connect(database.url) as conn:  # what the loader does once line 3 loaded
        conn.execute("UPDATE ops.dead_letters SET resolved_at = now() WHERE line_number = 3")

    assert replay_json("--entity", "orders")["resubmitted"] == ["batch-1/orders.csv:4"]
    validate_all(settings)
    assert ledger(database, "SELECT line_number, attempt FROM ops.dead_letters "
                            "ORDER BY 1") == [(3, 1), (4, 3)]
    last = replay_json("--from-file", str(export))
    assert last["resubmitted"] == [] and last["skipped"] == {
        "attempt_limit": ["batch-1/orders.csv:4"], "resolved": ["batch-1/orders.csv:3"]}
    assert "skipped (attempt_limit): batch-1/orders.csv:4" in cli(
        "dlq", "replay", "--entity", "orders", "--dry-run")
    _check_audit(database)


def _dry_run_changes_nothing(settings: Settings, database: TestDatabase, export: Path) -> None:
    raw_before = topic_size(settings, [raw_topic(settings, "orders")])
    assert raw_before == 1  # the file's three records travel in one chunk
    report = replay_json("--from-file", str(export), "--dry-run")
    assert report["dry_run"] and len(report["resubmitted"]) == 2 and report["replay_id"] is None
    assert topic_size(settings, [raw_topic(settings, "orders")]) == raw_before
    assert ledger(database, "SELECT count(*) FROM ops.dlq_replays") == [(0,)]
    assert ledger(database, "SELECT count(*) FROM ops.replayed_letters") == [(0,)]


def _check_replayed_messages(settings: Settings, replay_id: str) -> None:
    chunks = [decode_chunk(m.value())
              for m in read_messages(settings, [raw_topic(settings, "orders")])]
    replayed = [c for c in chunks if any("replay" in e for e in c.records)]
    assert len(replayed) == 1, "the replayed records of one file travel as one chunk"
    (chunk,) = replayed
    assert [e["line"] for e in chunk.records] == [3, 4]
    assert chunk.origin.file_key == ("batch-1", "orders.csv")
    assert chunk.origin.contract_version == 1 and len(chunk.origin.file_sha256 or "") == 64
    for entry in chunk.records:
        mark = entry["replay"]
        assert mark["replay_id"] == replay_id and mark["attempt"] == 1
        assert mark["first_failed_at"]
    assert json.loads(chunk.records[0]["value"])["status"] == "delivered"  # the edit
    assert chunk.records[1]["value"].startswith("{") and chunk.records[1]["key"] == "o3"


def _check_fixed_record_is_valid(settings: Settings, replay_id: str) -> None:
    valid = read_topics(settings, [valid_topic(settings, "orders")])
    fixed = [r for r in valid if r.headers.get("shopflow.replay_id") == replay_id]
    assert [r.identity() for r in fixed] == [("batch-1", "orders.csv", 3)]
    assert json.loads(fixed[0].value or b"")["status"] == "delivered" and fixed[0].key == b"o2"
    dead = [r for r in read_topics(settings, [dlq_topic(settings, "orders")])
            if r.headers.get("shopflow.replay_id") == replay_id]
    assert [(r.identity()[2], r.headers["shopflow.errors.attempt"]) for r in dead] == [(4, "2")]
    assert len(read_topics(settings, output_topics(settings))) == 5


def _check_audit(database: TestDatabase) -> None:
    replays = ledger(database, "SELECT requested_by, source, dry_run, selected, resubmitted, "
                               "skipped FROM ops.dlq_replays ORDER BY requested_at")
    assert replays == [("tester", "file", False, 2, 2, 0), ("tester", "file", False, 2, 0, 2),
                       ("tester", "dlq", False, 1, 1, 0), ("tester", "file", False, 2, 0, 2)]
    assert ledger(database, "SELECT line_number, attempt, edited FROM ops.replayed_letters "
                            "ORDER BY 1, 2") == [(3, 1, True), (4, 1, False), (4, 2, False)]
