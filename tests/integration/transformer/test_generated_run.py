"""A generated 30-day run, built batch by batch, against the generator's truth."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from shopflow.warehouse import BuildRequest, BuildResult, run_build
from tests.conftest import TestDatabase as Database
from tests.integration.transformer.conftest import warehouse_snapshot
from tests.integration.transformer.staging_files import GeneratedRun, load_batch

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class BuiltRun:
    database: Database
    run: GeneratedRun
    builds: list[BuildResult]

    @property
    def transformer_url(self) -> str:
        return self.database.url_as("shopflow_transformer")


@pytest.fixture(scope="module")
def built(module_database: Database, generated_run: GeneratedRun) -> Iterator[BuiltRun]:
    """Load each batch into staging and build it, in batch order, like the service."""
    builds = []
    dead = generated_run.dead_letters()
    for batch_id in generated_run.batch_ids():
        with psycopg.connect(module_database.url) as conn:
            load_batch(conn, generated_run, batch_id, dead)
        builds.append(run_build(module_database.url_as("shopflow_transformer"),
                                BuildRequest(batch_id=batch_id, sequence=1, trigger="test")))
    yield BuiltRun(module_database, generated_run, builds)


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(query).fetchall()


def test_daily_sales_equal_truth_to_the_cent(built: BuiltRun) -> None:
    truth = built.run.truth["metrics"]["daily"]
    mart = {row[0].isoformat(): row[1:] for row in _rows(
        built.database.url,
        "SELECT sales_date, revenue, orders, units, customers, new_customers"
        " FROM marts.daily_sales")}
    assert len(truth) >= 30
    for day, expected in truth.items():
        revenue, orders, units, customers, new_customers = mart.get(day, (0, 0, 0, 0, 0))
        assert (Decimal(revenue), orders, units, customers, new_customers) == (
            Decimal(expected["revenue"]), expected["orders"], expected["units"],
            expected["customers"], expected["new_customers"]), day
    assert set(mart) <= set(truth)


def test_daily_category_sales_equal_truth_to_the_cent(built: BuiltRun) -> None:
    truth = built.run.truth["metrics"]["daily_by_category"]
    mart = {(row[0].isoformat(), row[1]): row[2:] for row in _rows(
        built.database.url,
        "SELECT sales_date, category, revenue, orders, units, cost_amount"
        " FROM marts.daily_category_sales")}
    expected = {(day, category): (Decimal(f["revenue"]), f["orders"], f["units"],
                                  Decimal(f["cost"]))
                for day, categories in truth.items() for category, f in categories.items()}
    assert len(expected) > 100
    assert {key: tuple(value) for key, value in mart.items()} == expected


def test_totals_and_customer_lifetime_agree_with_truth(built: BuiltRun) -> None:
    totals = built.run.truth["metrics"]["totals"]
    (revenue, orders, customers), = _rows(
        built.database.url,
        "SELECT sum(total_revenue), sum(orders), count(*) FROM marts.customer_lifetime")
    assert (revenue, orders, customers) == (
        Decimal(totals["revenue"]), totals["orders"], totals["customers"])


def test_every_build_succeeded_with_quality_checks(built: BuiltRun) -> None:
    assert [b.status for b in built.builds] == ["succeeded"] * len(built.builds)
    failed = _rows(built.database.url,
                   "SELECT check_name, details FROM ops.quality_checks WHERE status = 'fail'")
    assert failed == []
    checks = _rows(built.database.url, "SELECT DISTINCT check_name FROM ops.quality_checks")
    assert {c for (c,) in checks} >= {
        "reconcile_orders", "reconcile_order_items", "reconcile_marts", "null_keys",
        "orphan_keys", "negative_amounts", "duplicate_natural_keys", "freshness"}


def test_late_customers_are_completed_and_keep_their_orders(built: BuiltRun) -> None:
    late = built.run.truth["late_arriving_customers"]
    assert late, "the generated run should contain late-arriving customers"
    with psycopg.connect(built.database.url) as conn:
        for entry in late:
            versions = conn.execute(
                "SELECT customer_key, is_inferred, country FROM warehouse.dim_customer"
                " WHERE customer_id = %s", (entry["customer_id"],)).fetchall()
            assert versions and all(not inferred and country for _, inferred, country in versions)
            order_keys = conn.execute(
                "SELECT DISTINCT customer_key FROM warehouse.fact_orders WHERE customer_id = %s",
                (entry["customer_id"],)).fetchall()
            assert order_keys and {k for (k,) in order_keys} <= {v[0] for v in versions}


def test_incremental_builds_equal_a_full_refresh(built: BuiltRun) -> None:
    incremental = warehouse_snapshot(built.database.url)
    result = run_build(built.transformer_url, BuildRequest(full_refresh=True))
    assert result.status == "succeeded"
    full = warehouse_snapshot(built.database.url)
    assert incremental.keys() == full.keys()
    assert sum(len(rows) for rows in full.values()) > 10_000
    for table in full:
        assert incremental[table] == full[table], table
