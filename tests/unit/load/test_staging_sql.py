"""COPY payloads and the merge statement, without a database."""

from __future__ import annotations

import csv
import io
from datetime import date

import psycopg
import pytest
from confluent_kafka import Message

from shopflow.load.days import utc_day
from shopflow.load.loader import describe, is_transient
from shopflow.load.staging import StagingTable, csv_payload, entity_order, merge_statement


def test_csv_payload_keeps_text_verbatim_and_none_as_unquoted_empty() -> None:
    rows = [("a,b", 'say "hi"', "line1\nline2", None, "  ", "Robert'); DROP TABLE x;--", 3)]
    payload = csv_payload(rows)
    parsed = next(csv.reader(io.StringIO(payload)))
    assert parsed == ["a,b", 'say "hi"', "line1\nline2", "", "  ",
                      "Robert'); DROP TABLE x;--", "3"]
    # the null is an unquoted empty field, which COPY ... (FORMAT csv) reads as NULL
    assert ',"  ",' not in payload and ',,' in payload


def test_copy_columns_put_the_source_line_where_the_table_wants_it() -> None:
    items = StagingTable("order_items", ("order_id", "line_number"), "source_line")
    assert items.copy_columns == ("order_id", "line_number", "batch_id", "source_file",
                                  "source_line", "replay_id")
    assert items.temp_name == "load_order_items"


def test_merge_statement_inserts_only_new_identities() -> None:
    items = StagingTable("order_items", ("order_id", "line_number"), "source_line")
    text = merge_statement(items).as_string(None)
    assert "ON CONFLICT DO NOTHING" in text
    assert 'RETURNING batch_id, source_file, "source_line"' in text


@pytest.mark.parametrize(("value", "day"), [
    ("2026-01-31", date(2026, 1, 31)),
    ("2026-01-31T23:59:59Z", date(2026, 1, 31)),
    ("2026-01-31T23:30:00-02:00", date(2026, 2, 1)),
    ("2026-02-01T00:30:00.250+01:00", date(2026, 1, 31)),
    (None, None),
])
def test_utc_day_of_dates_and_timestamps(value: str | None, day: date | None) -> None:
    assert utc_day(value) == day


def test_orders_load_before_their_lines() -> None:
    order = entity_order(["order_items", "reviews", "orders", "unknown", "customers"])
    assert order.index("orders") < order.index("order_items")
    assert order[-1] == "unknown"


def test_transient_errors_are_operational_ones() -> None:
    assert is_transient(psycopg.OperationalError("connection refused"))
    assert is_transient(psycopg.errors.AdminShutdown())
    assert is_transient(psycopg.errors.DeadlockDetected())
    assert not is_transient(psycopg.errors.UniqueViolation())
    assert not is_transient(psycopg.DataError())


def test_describe_names_offset_ranges_per_partition() -> None:
    msgs = [Message(topic="t", partition=p, offset=o) for p, o in [(0, 5), (0, 2), (1, 9)]]
    assert describe(msgs) == "t[0]@2-5, t[1]@9-9"
