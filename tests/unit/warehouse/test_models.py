"""The build plan: every SQL model and check is run, in a dependency-safe order."""

from __future__ import annotations

import pytest

from shopflow.warehouse import BuildRequest
from shopflow.warehouse.models import (
    CHECKS,
    CHECKS_DIR,
    MODELS,
    MODELS_DIR,
    build_plan,
    check_sql,
    model_sql,
)


def test_every_model_file_is_in_the_plan_and_every_planned_model_exists() -> None:
    on_disk = {path.stem for path in MODELS_DIR.glob("*.sql")}
    planned = set(build_plan(full_refresh=False)) | set(build_plan(full_refresh=True))
    assert on_disk == planned
    assert all(model_sql(name).strip() for name in planned)


def test_every_check_file_runs() -> None:
    assert {path.stem for path in CHECKS_DIR.glob("*.sql")} == set(CHECKS)
    assert all(check_sql(name).lstrip().startswith(("--", "WITH", "SELECT")) for name in CHECKS)


def test_scope_first_then_dimensions_facts_and_marts() -> None:
    for full_refresh in (False, True):
        plan = build_plan(full_refresh)
        assert plan[:2] == ["scope_tables", "scope_full" if full_refresh else "scope_batch"]
        kinds = [name.split("_")[0] for name in plan[2:] if not name.startswith("int_")]
        assert kinds == sorted(kinds, key=["dim", "fact", "mart"].index)


def test_facts_run_after_the_dimensions_they_look_up() -> None:
    assert MODELS.index("int_dimension_changes") > MODELS.index("dim_product")
    assert MODELS.index("fact_order_items") < MODELS.index("fact_orders")
    assert MODELS.index("mart_customer_lifetime") < MODELS.index("mart_daily_sales")
    assert MODELS.index("mart_daily_product_sales") < MODELS.index("mart_inventory_daily")
    assert MODELS[-1] == "mart_cohort_activity"


def test_a_build_needs_a_batch_or_a_full_refresh() -> None:
    with pytest.raises(ValueError, match="batch id or full_refresh"):
        BuildRequest()
    assert BuildRequest(full_refresh=True).batch_id is None
