"""Builds are serialized, atomic, recorded, de-duplicated and checked."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from typer.testing import CliRunner

from shopflow.cli.main import app
from shopflow.warehouse import BuildFailed, BuildRequest, run_build
from shopflow.warehouse.dbt_project import DbtProject
from shopflow.warehouse.runner import BUILD_LOCK_KEY
from tests.conftest import TestDatabase as Database
from tests.conftest import settings_env
from tests.integration.transformer.conftest import warehouse_snapshot
from tests.integration.transformer.scenario import (
    Warehouse,
    customer,
    event,
    line,
    order,
    product,
)

pytestmark = pytest.mark.integration


def stage_three_batches(wh: Warehouse) -> None:
    wh.stage("b1", "2026-01-01", customers=[customer("C1", "bronze", "2026-01-01T00:00:00Z")],
             products=[product("P1", "Toys", "2026-01-01T00:00:00Z")],
             orders=[order("O1", "C1", "2026-01-01T09:00:00Z")],
             order_items=[line("O1", 1, "P1", 2)],
             clickstream=[event("e1", "2026-01-01T08:55:00Z", "C1", utm_campaign="spring")])
    wh.stage("b2", "2026-01-02", customers=[customer("C1", "silver", "2026-01-02T00:00:00Z")],
             orders=[order("O2", "C1", "2026-01-02T09:00:00Z"),
                     order("O1", "C1", "2026-01-01T09:00:00Z", "returned",
                           "2026-01-02T10:00:00Z")],
             order_items=[line("O2", 1, "P1", 1, "99.00")])
    wh.stage("b3", "2026-01-03", products=[product("P1", "Games", "2026-01-02T12:00:00Z")],
             orders=[order("O3", "C2", "2026-01-03T09:00:00Z")],
             order_items=[line("O3", 1, "P1", 4)])


def test_two_transformers_at_once_leave_a_correct_warehouse(database: Database) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    url = database.url_as("shopflow_transformer")
    requests = [BuildRequest(batch_id=b) for b in ("b1", "b2", "b3")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(lambda: [run_build(url, r) for r in requests])
        second = pool.submit(lambda: [run_build(url, r) for r in reversed(requests)]
                             + [run_build(url, BuildRequest(full_refresh=True))])
        results = first.result() + second.result()
    assert {r.status for r in results} == {"succeeded"}
    concurrent = warehouse_snapshot(database.url)
    assert wh.build().status == "succeeded"
    assert warehouse_snapshot(database.url) == concurrent
    assert wh.value("SELECT sum(revenue) FROM marts.daily_sales") == 99 + 40


def test_a_build_waits_for_the_build_lock(database: Database) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    finished = threading.Event()
    with psycopg.connect(database.url_as("shopflow_transformer")) as holder:
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (BUILD_LOCK_KEY,))

        def build() -> None:
            wh.build("b1")
            finished.set()

        worker = threading.Thread(target=build)
        worker.start()
        assert not finished.wait(1.5), "the build ran while another writer held the lock"
        holder.rollback()
    worker.join(30)
    assert finished.is_set()


@pytest.mark.parametrize("failing_model", ["fact_orders", "mart_cohort_activity"])
def test_a_build_failing_midway_leaves_the_previous_warehouse(
        database: Database, failing_model: str) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    assert wh.build("b1").status == "succeeded"
    before = warehouse_snapshot(database.url)

    def fail(name: str, _conn: psycopg.Connection) -> None:
        if name == failing_model:
            raise RuntimeError(f"injected failure in {name}")

    with pytest.raises(BuildFailed) as failure:
        wh.build("b2", after_model=fail)
    assert warehouse_snapshot(database.url) == before
    status, error = wh.rows("SELECT status, error FROM ops.builds WHERE build_id = %s",
                            failure.value.build_id)[0]
    assert status == "failed" and f"injected failure in {failing_model}" in error
    assert wh.build("b2").status == "succeeded"  # the retry
    assert wh.value("SELECT count(*) FROM warehouse.fact_orders") == 2


def test_a_batch_sequence_is_built_once(database: Database) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    url = database.url_as("shopflow_transformer")
    first = run_build(url, BuildRequest(batch_id="b1", sequence=1))
    again = run_build(url, BuildRequest(batch_id="b1", sequence=1))
    assert (again.reused, again.build_id, again.status) == (True, first.build_id, "succeeded")
    replay = run_build(url, BuildRequest(batch_id="b1", sequence=2))
    assert not replay.reused and replay.build_id != first.build_id
    assert wh.value("SELECT count(*) FROM ops.builds") == 2


def test_a_failing_quality_check_marks_the_build_visibly(database: Database) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    with psycopg.connect(database.url) as conn:  # bypasses the contracts on purpose
        conn.execute(
            "INSERT INTO staging.order_items (order_id, line_number, product_id, quantity,"
            " unit_price, discount_amount, batch_id, source_file, source_line)"
            " VALUES ('O1', 2, 'P1', 1, 5.00, 9.00, 'b1', 'order_items.csv', 99)")
    result = wh.build("b1")
    assert result.status == "failed_quality"
    assert result.stats["checks"]["failed"] == ["negative_amounts"]
    assert wh.rows("SELECT status FROM ops.builds WHERE build_id = %s", result.build_id) == [
        ("failed_quality",)]
    assert wh.rows("SELECT check_name, observed FROM ops.quality_checks"
                   " WHERE build_id = %s AND status = 'fail'", result.build_id) == [
        ("negative_amounts", 1)]


def test_the_cli_builds_a_batch_and_refreshes_everything(
        database: Database, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    env = settings_env(settings.model_copy(update={
        "database_url": database.url,
        "transformer_database_url": database.url_as("shopflow_transformer")}))
    for key, value in env.items():
        if key.startswith("SHOPFLOW_"):
            monkeypatch.setenv(key, value)
    from shopflow.runtime.settings import get_settings
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        batch = runner.invoke(app, ["transform", "--batch", "b1"])
        full = runner.invoke(app, ["transform", "--full-refresh"])
        neither = runner.invoke(app, ["transform"])
    finally:
        get_settings.cache_clear()
    assert batch.exit_code == 0, batch.output
    assert '"status": "succeeded"' in batch.output
    assert full.exit_code == 0, full.output
    assert neither.exit_code != 0
    assert wh.value("SELECT count(*) FROM ops.builds WHERE trigger = 'full_refresh'") == 1


def working_rows(wh: Warehouse) -> int:
    tables = wh.rows("SELECT tablename FROM pg_tables WHERE schemaname = 'build'")
    assert tables, "no working tables: the build did not run"
    return sum(wh.value(f'SELECT count(*) FROM build."{name}"') for (name,) in tables)


def test_a_full_refresh_leaves_the_working_tables_empty(database: Database) -> None:
    wh = Warehouse(database)
    stage_three_batches(wh)
    assert wh.build("b1").status == "succeeded"
    assert working_rows(wh) > 0, "a batch build keeps its scope until the next build"
    full = wh.build()
    assert full.stats["scope"]["orders"] == 3, "the scope is read before the tables are emptied"
    assert working_rows(wh) == 0
    assert wh.build("b3").status == "succeeded"
    assert wh.value("SELECT count(*) FROM warehouse.fact_order_items") == 3


def set_transformer_defaults(database: Database, **settings: str) -> None:
    """Role defaults of shopflow_transformer in this test's database only."""
    with psycopg.connect(database.url, autocommit=True) as conn:
        for key, value in settings.items():
            conn.execute(f'ALTER ROLE shopflow_transformer IN DATABASE "{database.name}"'
                         f" SET {key} = '{value}'")


def test_the_build_runs_under_the_core_session_settings(database: Database) -> None:
    """Set once per build (on-run-start, one transaction), whatever the role's defaults."""
    wh = Warehouse(database)
    stage_three_batches(wh)
    set_transformer_defaults(database, timezone="Asia/Tokyo", jit="on", random_page_cost="3",
                             default_statistics_target="50")
    daily = wh.build("b1").stats["session"]
    full = wh.build().stats["session"]
    assert daily == {"timezone": "UTC", "jit": "off", "work_mem": "256MB",
                     "random_page_cost": "1.1", "default_statistics_target": "10"}
    assert full == {**daily, "random_page_cost": "3", "default_statistics_target": "50"}, \
        "a full refresh keeps the defaults"


def test_dbt_build_by_hand_builds_what_the_transformer_builds(database: Database) -> None:
    """Plain `dbt build` (no vars: a full refresh, committed model by model, settings in
    every model's pre-hook) leaves the warehouse a transformer's full refresh leaves."""
    wh = Warehouse(database)
    stage_three_batches(wh)
    set_transformer_defaults(database, timezone="Asia/Tokyo")
    by_hand = DbtProject(database.url_as("shopflow_transformer")).invoke(
        ["build", "--select", "tag:core"])
    assert by_hand.success and not by_hand.failed, by_hand.failed
    assert sum(1 for n in by_hand.nodes if n.startswith("model.")) > 40
    hand_built = warehouse_snapshot(database.url)
    assert wh.build().status == "succeeded"
    assert warehouse_snapshot(database.url) == hand_built
    assert wh.value("SELECT count(*) FROM warehouse.fact_orders") == 3
