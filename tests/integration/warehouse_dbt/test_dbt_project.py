"""The dbt project over a real warehouse: sources tested, a user's own model built."""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

from shopflow.warehouse.after_build import DbtAfterBuild
from shopflow.warehouse.dbt_project import PROJECT_DIR, DbtFailed, DbtProject
from tests.conftest import TestDatabase as Database
from tests.integration.transformer.scenario import Warehouse
from tests.integration.transformer.test_build_safety import stage_three_batches

pytestmark = pytest.mark.integration

CUSTOM_MODEL = """
-- A user's model: revenue per category over all days, from our mart.
{{ config(materialized='table') }}
select category, sum(revenue) as revenue, sum(orders) as orders
from {{ source('marts', 'daily_category_sales') }}
group by category
"""

CUSTOM_MODEL_DOCS = """
version: 2
models:
  - name: category_totals
    description: "Revenue per category over all days."
    columns:
      - name: category
        data_tests: [unique, not_null]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "warehouse"
    shutil.copytree(PROJECT_DIR, copy, ignore=shutil.ignore_patterns("target", "logs"))
    return copy


def built_warehouse(database: Database) -> Warehouse:
    wh = Warehouse(database)
    stage_three_batches(wh)
    for batch in ("b1", "b2", "b3"):
        assert wh.build(batch).status == "succeeded"
    return wh


def test_a_users_model_in_custom_is_built_with_the_rest(database: Database,
                                                         project: Path) -> None:
    wh = built_warehouse(database)
    (project / "models" / "custom" / "category_totals.sql").write_text(CUSTOM_MODEL)
    (project / "models" / "custom" / "category_totals.yml").write_text(CUSTOM_MODEL_DOCS)
    dbt = DbtProject(database.url_as("shopflow_transformer"), project)
    run = dbt.build_after_warehouse()
    assert run.success, run.nodes
    assert run.nodes["model.shopflow.category_totals"] == "success"
    tests = [n for n in run.nodes if n.startswith("test.shopflow.") and "category_totals" in n]
    assert len(tests) == 2 and all(run.nodes[t] == "pass" for t in tests)
    assert sorted(wh.rows("SELECT category, revenue, orders FROM custom.category_totals")) == \
        sorted(wh.rows("SELECT category, sum(revenue), sum(orders) FROM"
                       " marts.daily_category_sales GROUP BY category"))


def test_every_key_and_enum_test_passes_on_a_built_warehouse(database: Database,
                                                             project: Path) -> None:
    built_warehouse(database)
    run = DbtProject(database.url_as("shopflow_transformer"), project).invoke(
        ["test", "--select", "source:*"])
    assert run.success, run.failed
    assert len(run.nodes) >= 30 and set(run.nodes.values()) == {"pass"}


def test_a_broken_key_fails_its_dbt_test(database: Database, project: Path) -> None:
    built_warehouse(database)
    with psycopg.connect(database.url) as conn:  # the owner breaks the key on purpose
        conn.execute("ALTER TABLE marts.daily_sales DROP CONSTRAINT daily_sales_pkey")
        conn.execute("INSERT INTO marts.daily_sales SELECT * FROM marts.daily_sales LIMIT 1")
    run = DbtProject(database.url_as("shopflow_transformer"), project).invoke(
        ["test", "--select", "source:marts.daily_sales"])
    assert not run.success
    assert [n.split(".")[2] for n in run.failed] == [
        "source_unique_marts_daily_sales_sales_date"]


def test_a_failing_users_model_is_recorded_and_leaves_the_build(database: Database,
                                                                 project: Path) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    result = wh.build("b1")
    (project / "models" / "custom" / "broken.sql").write_text(
        "select no_such_column from {{ source('marts', 'daily_sales') }}")
    url = database.url_as("shopflow_transformer")
    outcome = DbtAfterBuild(url, DbtProject(url, project))(result)
    assert outcome["success"] is False and outcome["failed"] == ["model.shopflow.broken"]
    status, dbt = wh.rows("SELECT status, stats->'dbt' FROM ops.builds WHERE build_id = %s",
                          result.build_id)[0]
    assert status == "succeeded" and dbt["failed"] == ["model.shopflow.broken"]
    assert wh.value("SELECT count(*) FROM warehouse.fact_orders") == 1  # the build stands


CUSTOM_VIEW = """
-- A user's view: today's categories, read when queried.
select category, revenue from {{ source('marts', 'daily_category_sales') }}
"""


def test_views_are_built_once_and_data_models_after_every_build(database: Database,
                                                                 project: Path) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    custom = project / "models" / "custom"
    (custom / "category_totals.sql").write_text(CUSTOM_MODEL)
    (custom / "category_totals.yml").write_text(CUSTOM_MODEL_DOCS)
    (custom / "category_days.sql").write_text(CUSTOM_VIEW)
    url = database.url_as("shopflow_transformer")
    after = DbtAfterBuild(url, DbtProject(url, project), docs_dir=project / "docs")
    first = after(wh.build("b1"))
    assert first["success"] and first["models"] > 2 and first["tests"] == 2
    second = after(wh.build("b2"))
    assert (second["success"], second["models"], second["tests"]) == (True, 1, 2)
    totals = "SELECT category, revenue, orders FROM custom.category_totals"
    assert sorted(wh.rows(totals)) == sorted(wh.rows(
        "SELECT category, sum(revenue), sum(orders) FROM marts.daily_category_sales"
        " GROUP BY category")), "the table follows the second build"
    assert wh.value("SELECT count(*) FROM custom.category_days") == wh.value(
        "SELECT count(*) FROM marts.daily_category_sales"), "the view reads the new rows"


def test_a_users_model_cannot_build_on_a_working_table(database: Database,
                                                        project: Path) -> None:
    """Working tables are the build's own (dropped and created by every build): private to
    the core's dbt group, so a ref() to one fails when the project is parsed."""
    (project / "models" / "custom" / "scope_copy.sql").write_text(
        "select * from {{ ref('scope_orders') }}")
    with pytest.raises(DbtFailed, match="private to the 'core_build' group"):
        DbtProject(database.url_as("shopflow_transformer"), project).parse()


PRIVATE_REF = "select * from {{ ref('scope_orders') }}"


def test_a_users_model_that_does_not_parse_leaves_the_core_build(database: Database,
                                                                  project: Path) -> None:
    """A file in models/custom that stops the project from parsing (here a ref() to a
    private working table) must not stop the warehouse build: the transformer's project
    leaves the folder out and reports why after every build; a hand-run command still
    fails on it."""
    wh = Warehouse(database)
    stage_three_batches(wh)
    custom = project / "models" / "custom"
    (custom / "category_totals.sql").write_text(CUSTOM_MODEL)
    (custom / "scope_copy.sql").write_text(PRIVATE_REF)
    url = database.url_as("shopflow_transformer")
    dbt = DbtProject(url, project, isolate_custom_models=True)
    result = wh.build("b1", project=dbt)
    assert result.status == "succeeded"
    assert wh.value("SELECT count(*) FROM warehouse.fact_orders") == 1
    outcome = DbtAfterBuild(url, dbt)(result)
    assert outcome["success"] is False
    assert "private to the 'core_build' group" in outcome["error"]
    recorded = wh.value("SELECT stats->'dbt' FROM ops.builds WHERE build_id = %s",
                        result.build_id)
    assert recorded["success"] is False and recorded["error"] == outcome["error"]
    assert wh.value("SELECT to_regclass('marts.calendar') IS NOT NULL"), "views still built"
    assert wh.value("SELECT to_regclass('custom.category_totals')") is None, "folder left out"
    assert (custom / "scope_copy.sql").exists(), "the user's files are not touched"
    with pytest.raises(DbtFailed, match="private to the 'core_build' group"):
        DbtProject(url, project).parse()


def test_a_core_that_does_not_parse_still_fails_the_build(database: Database,
                                                         project: Path) -> None:
    """Leaving models/custom out is no cover for a broken core: the error stands."""
    (project / "models" / "custom" / "scope_copy.sql").write_text(PRIVATE_REF)
    (project / "models" / "intermediate" / "affected_dates.sql").write_text(
        "select {{ ref('no_such_model') }}")
    dbt = DbtProject(database.url_as("shopflow_transformer"), project,
                     isolate_custom_models=True)
    with pytest.raises(DbtFailed, match="depends on a node named 'no_such_model'"):
        dbt.parse()
    assert dbt.custom_models_error is None and dbt.project_dir == project
