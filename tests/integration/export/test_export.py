"""`shopflow export` over a real warehouse: Parquet and CSV by month, equal to the tables."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import psycopg
import pyarrow.dataset as ds
import pytest
from click.testing import Result
from typer.testing import CliRunner

from shopflow.cli.main import app
from shopflow.runtime.settings import get_settings
from tests.conftest import TestDatabase
from tests.integration.api.warehouse import build_warehouse, generate_run, scratch_database

pytestmark = pytest.mark.integration
START = date(2026, 1, 25)  # 12 days: January and February


@pytest.fixture(scope="module")
def built(migrated_template: str,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestDatabase]:
    run = generate_run(tmp_path_factory.mktemp("export") / "run", 12, 8, start=START)
    with scratch_database() as database:
        build_warehouse(database, run)
        yield database


def _export(database: TestDatabase, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("SHOPFLOW_DATABASE_URL", database.url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["export", *args])
    finally:
        get_settings.cache_clear()


def _rows(database: TestDatabase, query: str) -> list[tuple]:
    with psycopg.connect(database.url) as conn:
        return conn.execute(query).fetchall()


def test_parquet_by_month_holds_every_row_of_each_table(
        built: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _export(built, monkeypatch, "--table", "fact_orders", "--table", "daily_sales",
                     "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    months = sorted(p.name for p in (tmp_path / "fact_orders").iterdir())
    assert months == ["month=2026-01", "month=2026-02"]
    orders = ds.dataset(tmp_path / "fact_orders", format="parquet", partitioning="hive")
    table = orders.to_table()
    expected = _rows(built, "SELECT order_id, net_amount, order_date, to_char(order_date,"
                            " 'YYYY-MM') FROM warehouse.fact_orders")
    got = zip(table.column("order_id").to_pylist(), table.column("net_amount").to_pylist(),
              table.column("order_date").to_pylist(), table.column("month").to_pylist(),
              strict=True)
    assert sorted(got) == sorted((i, Decimal(n), d, m) for i, n, d, m in expected)
    sales = ds.dataset(tmp_path / "daily_sales", format="parquet", partitioning="hive")
    revenue = sum(sales.to_table().column("revenue").to_pylist(), Decimal(0))
    assert revenue == _rows(built, "SELECT sum(revenue) FROM marts.daily_sales")[0][0]


def test_since_filters_csv_and_a_rerun_replaces_the_months_it_writes(
        built: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for _ in range(2):
        result = _export(built, monkeypatch, "--format", "csv", "--table", "daily_funnel",
                         "--since", "2026-02-01", "--out", str(tmp_path))
        assert result.exit_code == 0, result.output
    files = list((tmp_path / "daily_funnel").rglob("*"))
    assert [p.relative_to(tmp_path).as_posix() for p in files if p.is_file()] == [
        "daily_funnel/month=2026-02/part-0.csv"]
    with (tmp_path / "daily_funnel/month=2026-02/part-0.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    expected = _rows(built, "SELECT session_date::text, sessions FROM marts.daily_funnel"
                            " WHERE session_date >= '2026-02-01'")
    assert Counter((r["session_date"], int(r["sessions"])) for r in rows) == Counter(expected)


def test_an_unknown_table_is_refused_with_the_list(
        built: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = _export(built, monkeypatch, "--table", "orders", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "unknown table orders" in result.output and "fact_orders" in result.output
    assert not any(tmp_path.iterdir())
