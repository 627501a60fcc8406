"""Migrations and role permissions on the real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest

from shopflow.db.migrate import downgrade, upgrade
from tests.conftest import TestDatabase, one_migration_at_a_time

pytestmark = pytest.mark.integration

SCHEMAS = {"ops", "staging", "warehouse", "marts"}


def _schemas(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace").fetchall()
    return {r[0] for r in rows} & SCHEMAS


def test_upgrade_from_empty_and_back(database: TestDatabase) -> None:
    with one_migration_at_a_time():
        downgrade(database.url, "base")
        assert _schemas(database.url) == set()
        upgrade(database.url)
        assert _schemas(database.url) == SCHEMAS
        upgrade(database.url)  # idempotent
    with psycopg.connect(database.url) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'staging'")}
    assert {"orders", "order_items", "customers", "products", "clickstream", "inventory",
            "campaigns", "reviews"} <= tables


def _attempt(url: str, statement: str) -> str | None:
    """Run one statement; return the SQLSTATE it failed with, or None on success."""
    with psycopg.connect(url) as conn:
        try:
            conn.execute(statement)
        except psycopg.Error as exc:
            return exc.sqlstate
        conn.rollback()
    return None


INSUFFICIENT_PRIVILEGE = "42501"


def test_api_role_cannot_write(database: TestDatabase) -> None:
    api = database.url_as("shopflow_api")
    assert _attempt(api, "SELECT count(*) FROM ops.batches") is None
    for statement in (
        "INSERT INTO ops.batches (batch_id) VALUES ('x')",
        "DELETE FROM ops.dead_letters",
        "INSERT INTO staging.orders VALUES ('o','c',now(),'paid',null,null,'EUR',0,null,now(),"
        "'b','f',1,null,now())",
        "CREATE TABLE marts.evil (x int)",
    ):
        assert _attempt(api, statement) == INSUFFICIENT_PRIVILEGE, statement


def test_loader_role_writes_staging_only(database: TestDatabase) -> None:
    loader = database.url_as("shopflow_loader")
    assert _attempt(loader, "INSERT INTO ops.batches (batch_id) VALUES ('b1')") is None
    assert _attempt(loader, "SELECT count(*) FROM staging.orders") is None
    assert _attempt(loader, "CREATE TABLE warehouse.evil (x int)") == INSUFFICIENT_PRIVILEGE
    assert _attempt(loader, "CREATE TABLE marts.evil (x int)") == INSUFFICIENT_PRIVILEGE
    assert _attempt(loader, "INSERT INTO ops.builds (trigger) VALUES ('x')") \
        == INSUFFICIENT_PRIVILEGE


def test_transformer_role_reads_staging_but_cannot_write_it(database: TestDatabase) -> None:
    transformer = database.url_as("shopflow_transformer")
    assert _attempt(transformer, "SELECT count(*) FROM staging.orders") is None
    assert _attempt(transformer, "INSERT INTO ops.builds (trigger) VALUES ('test')") is None
    assert _attempt(transformer, "DELETE FROM staging.orders") == INSUFFICIENT_PRIVILEGE
