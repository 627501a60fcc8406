"""The loader's database role writes staging and its ledger, and cannot touch the warehouse."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import TestDatabase

pytestmark = pytest.mark.integration

INSUFFICIENT_PRIVILEGE = "42501"


def attempt(url: str, statement: str) -> str | None:
    """Run one statement and roll back; the SQLSTATE it failed with, or None."""
    with psycopg.connect(url) as conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            return exc.sqlstate
        finally:
            conn.rollback()
    return None


def tables(url: str, schemas: tuple[str, ...]) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema = ANY(%s) ORDER BY 1", (list(schemas),)).fetchall()
    return [r[0] for r in rows]


def test_loader_role_cannot_read_or_change_the_warehouse(database: TestDatabase) -> None:
    loader = database.url_as("shopflow_loader")
    warehouse = tables(database.url, ("warehouse", "marts"))
    assert warehouse, "the warehouse migration should have created tables"
    for table in warehouse:
        assert attempt(loader, f"SELECT 1 FROM {table} LIMIT 1") == INSUFFICIENT_PRIVILEGE
        assert attempt(loader, f"DELETE FROM {table}") == INSUFFICIENT_PRIVILEGE
    for schema in ("warehouse", "marts", "staging", "ops"):
        assert attempt(loader, f"CREATE TABLE {schema}.intruder (x int)") == \
            INSUFFICIENT_PRIVILEGE
    assert attempt(loader, "INSERT INTO ops.builds (trigger) VALUES ('loader')") == \
        INSUFFICIENT_PRIVILEGE


def test_loader_role_appends_to_staging_but_cannot_delete_or_drop(
        database: TestDatabase) -> None:
    loader = database.url_as("shopflow_loader")
    insert = ("INSERT INTO staging.campaigns (campaign_id, name, start_date, end_date, "
              "batch_id, source_file, line_number) "
              "VALUES ('c', 'n', '2026-01-01', '2026-01-02', 'b', 'f', 2)")
    assert attempt(loader, insert) is None
    assert attempt(loader, "INSERT INTO ops.outbox (topic, event_key, payload) "
                           "VALUES ('t', 'k', '\\x00')") is None
    assert attempt(loader, "DELETE FROM staging.campaigns") == INSUFFICIENT_PRIVILEGE
    assert attempt(loader, "TRUNCATE staging.orders") == INSUFFICIENT_PRIVILEGE
    assert attempt(loader, "DROP TABLE staging.orders") == INSUFFICIENT_PRIVILEGE
