"""The staging statements and the loader's error classes, without a database."""

from __future__ import annotations

import psycopg
import pytest

from shopflow.load.days import day_expression
from shopflow.load.loader import BatchLoadError, is_transient
from shopflow.load.staging import StagingTable, _table, entity_order, insert_statement
from shopflow.runtime.errors import BatchError

ITEMS = _table("order_items", {"order_id": "text", "line_number": "integer",
                               "quantity": "integer", "batch_id": "text",
                               "source_file": "text", "source_line": "integer",
                               "replay_id": "text", "loaded_at": "timestamp with time zone"})
ORDERS = _table("orders", {"order_id": "text", "order_ts": "timestamp with time zone",
                           "batch_id": "text", "source_file": "text", "line_number": "integer",
                           "replay_id": "text", "loaded_at": "timestamp with time zone"})


def test_columns_come_from_the_catalog_and_the_source_line_goes_where_the_table_wants() -> None:
    assert ITEMS.data_columns == ("order_id", "line_number", "quantity")
    assert ITEMS.insert_columns == ("order_id", "line_number", "quantity", "batch_id",
                                    "source_file", "source_line", "replay_id")
    assert ORDERS.insert_columns == ("order_id", "order_ts", "batch_id", "source_file",
                                     "line_number", "replay_id")


def test_plain_insert_first_merge_on_conflict_after() -> None:
    plain = insert_statement(ORDERS, merge=False).as_string(None)
    merge = insert_statement(ORDERS, merge=True).as_string(None)
    assert "ON CONFLICT" not in plain
    assert "ON CONFLICT DO NOTHING" in merge
    for text in (plain, merge):
        assert "unnest(%b::jsonb[])" in text  # one parameter: the chunks as they arrived
        assert 'jsonb_populate_record(NULL::"staging"."orders", e.record)' in text
        assert "(\"order_ts\" AT TIME ZONE 'UTC')::date AS day" in text
        assert "GROUP BY 1, 2" in text


def test_order_lines_take_their_dates_from_their_orders() -> None:
    text = insert_statement(ITEMS, merge=True).as_string(None)
    assert 'RETURNING batch_id, source_file, "order_id" AS day' in text
    assert "FROM staging.orders o WHERE o.order_id = ANY(f.orders)" in text
    assert '"r"."line_number"' in text and '"source_line"' in text


def test_entities_without_a_date_return_none() -> None:
    table = StagingTable("customers", ("customer_id",), "line_number")
    assert "NULL::date AS day" in insert_statement(table, merge=False).as_string(None)


def test_day_expressions_are_utc_dates() -> None:
    assert day_expression("snapshot_date", "date") == '"snapshot_date"'
    assert day_expression("event_ts", "timestamp with time zone") == \
        "(\"event_ts\" AT TIME ZONE 'UTC')::date"
    with pytest.raises(ValueError, match="not a date"):
        day_expression("event_ts", "text")


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


def test_a_refused_batch_says_where_it_came_from() -> None:
    error = BatchLoadError("DataError: bad", where="t[0]@2-5")
    assert isinstance(error, BatchError) and "t[0]@2-5" in str(error)
