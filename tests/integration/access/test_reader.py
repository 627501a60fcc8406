"""The BI reader: after a warehouse build and the dbt reporting models, shopflow_reader
reads the documented reporting views and nothing else; personal columns are only in
reporting_personal, for shopflow_reader_personal; every view and column has a comment."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from shopflow.warehouse.dbt_project import PROJECT_DIR, DbtProject
from tests.conftest import TestDatabase
from tests.integration.transformer.scenario import Warehouse
from tests.integration.transformer.test_build_safety import stage_three_batches

pytestmark = pytest.mark.integration

REPORTING_VIEWS = {
    "attribution", "calendar", "campaigns", "cohort_retention", "customer_value",
    "customers", "daily_category_sales", "daily_funnel", "daily_product_sales",
    "daily_sales", "inventory_daily", "order_lines", "orders", "products", "reviews",
    "sessions"}
PERSONAL_VIEWS = {"customer_contacts", "review_texts"}
PERSONAL_COLUMNS = {"email", "first_name", "last_name", "city", "title", "body",
                    "anonymous_id", "visitor_id"}
_READABLE = """
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'v', 'm', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND has_schema_privilege(n.oid, 'USAGE') AND has_any_column_privilege(c.oid, 'SELECT')
"""


@pytest.fixture
def reporting(database: TestDatabase, tmp_path: Path) -> TestDatabase:
    """A built warehouse with the dbt models built on it, as the transformer does."""
    wh = Warehouse(database)
    stage_three_batches(wh)
    for batch in ("b1", "b2", "b3"):
        assert wh.build(batch).status == "succeeded"
    project = tmp_path / "warehouse"
    shutil.copytree(PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    run = DbtProject(database.url_as("shopflow_transformer"), project).build_after_warehouse()
    assert run.success, run.failed
    return database


def _readable(conn: psycopg.Connection) -> set[tuple[str, str]]:
    return {(schema, name) for schema, name in conn.execute(_READABLE)}


def test_the_reader_sees_the_reporting_views_and_nothing_else(reporting: TestDatabase) -> None:
    with psycopg.connect(reporting.url_as("shopflow_reader")) as conn:
        assert _readable(conn) == {("reporting", view) for view in REPORTING_VIEWS}
        for view in REPORTING_VIEWS:
            conn.execute(f"SELECT * FROM reporting.{view} LIMIT 1")
        (revenue,) = conn.execute("SELECT sum(revenue) FROM reporting.daily_sales").fetchone()
        assert revenue > 0
        for table in ("reporting_personal.customer_contacts", "marts.daily_sales",
                      "warehouse.dim_customer", "staging.customers", "ops.dead_letters",
                      "access.api_keys"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT 1 FROM {table}")
            conn.rollback()


def test_personal_columns_only_in_reporting_personal(reporting: TestDatabase) -> None:
    with psycopg.connect(reporting.url) as conn:
        columns = conn.execute(
            "SELECT table_schema, column_name FROM information_schema.columns"
            " WHERE table_schema IN ('reporting', 'reporting_personal')").fetchall()
        assert not {c for schema, c in columns if schema == "reporting"} & PERSONAL_COLUMNS
        conn.execute("SET ROLE shopflow_reader_personal")  # a group role: no login
        assert _readable(conn) >= {("reporting_personal", v) for v in PERSONAL_VIEWS}
        (contacts,) = conn.execute("SELECT count(*) FROM"
                                   " reporting_personal.customer_contacts").fetchone()
        assert contacts > 0


def test_every_view_and_column_has_a_comment(reporting: TestDatabase) -> None:
    with psycopg.connect(reporting.url) as conn:
        views = conn.execute(
            "SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class')"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname IN ('reporting', 'reporting_personal') AND c.relkind = 'v'"
            ).fetchall()
        columns = conn.execute(
            "SELECT n.nspname, c.relname, a.attname, col_description(c.oid, a.attnum)"
            " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0"
            " WHERE n.nspname IN ('reporting', 'reporting_personal') AND c.relkind = 'v'"
            ).fetchall()
    assert {name for _, name, _ in views} == REPORTING_VIEWS | PERSONAL_VIEWS
    assert [v for v in views if not v[2]] == []
    assert [c for c in columns if not c[3]] == []
