"""Fixtures of the transformer tests: a generated run and warehouse snapshots."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from shopflow.db.connect import with_database
from shopflow.generate import GenerationConfig, generate
from tests.conftest import TEMPLATE_DB, TestDatabase, _admin_url
from tests.integration.transformer.staging_files import GeneratedRun


@pytest.fixture(scope="session")
def generated_run(tmp_path_factory: pytest.TempPathFactory) -> GeneratedRun:
    out: Path = tmp_path_factory.mktemp("generated") / "run"
    # Small but complete: every defect kind, file faults, late customers, status changes.
    generate(GenerationConfig(days=30, orders_per_day=30, seed=11, defect_rate=0.02,
                              start=date(2026, 1, 1), out=out))
    return GeneratedRun(out)


@pytest.fixture(scope="module")
def module_database(migrated_template: str) -> Iterator[TestDatabase]:
    """One database shared by the tests of a module (built once, read by each test)."""
    admin = _admin_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    yield TestDatabase(name=name, url=with_database(admin, name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def warehouse_snapshot(url: str) -> dict[str, list[tuple]]:
    """Every table and view of warehouse.* and marts.*, fully ordered."""
    with psycopg.connect(url) as conn:
        relations = conn.execute(
            "SELECT n.nspname || '.' || c.relname, c.relnatts FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('warehouse', 'marts') AND c.relkind IN ('r', 'v')"
            " ORDER BY 1").fetchall()
        snapshot = {}
        for name, columns in relations:
            order = ", ".join(str(i) for i in range(1, columns + 1))
            snapshot[name] = conn.execute(f"SELECT * FROM {name} ORDER BY {order}").fetchall()
        return snapshot
