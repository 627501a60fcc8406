"""The core dbt models: declared dependencies only, one relation per model, a safe order."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from shopflow.warehouse import BuildRequest
from shopflow.warehouse.dbt_project import PROJECT_DIR

CORE_FOLDERS = ("staging", "intermediate", "marts")
# every ref() dbt renders, also one passed to a macro (lookup_join(ref('x'), ...))
_REF = re.compile(r"(?<![\w.])ref\('(\w+)'\)")
_PREVIOUS = re.compile(r"previous_state\('(\w+)'\)")
_WRITES = re.compile(r"\b(create\s+(temp|temporary|table)|insert\s+into|delete\s+from|"
                     r"update\s+\w+\s+set|truncate)\b", re.I)


@cache
def core_models() -> dict[str, str]:
    models = {}
    for folder in CORE_FOLDERS:
        for path in (PROJECT_DIR / "models" / folder).rglob("*.sql"):
            models[path.stem] = path.read_text(encoding="utf-8")
    return models


def upstream(model: str) -> set[str]:
    """Every model `model` depends on through ref(), transitively."""
    seen: set[str] = set()
    todo = [model]
    while todo:
        for parent in _REF.findall(core_models()[todo.pop()]):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def test_the_old_runner_and_its_temp_table_scopes_are_gone() -> None:
    package = Path(__file__).resolve().parents[3] / "shopflow" / "warehouse"
    assert not (package / "models").exists() and not (package / "checks").exists()
    assert not (package / "models.py").exists()


def test_models_only_select_and_name_their_inputs_with_ref_or_source() -> None:
    models = core_models()
    assert len(models) >= 30
    for name, sql in models.items():
        code = re.sub(r"--[^\n]*", "", sql)
        assert not _WRITES.search(code), f"{name} writes a relation itself"
        assert not re.search(r"\b(warehouse|marts|staging|build|ops)\.(?!surrogate_key)\w+",
                             code), f"{name} names a relation without ref()/source()"
        assert all(parent in models for parent in _REF.findall(sql)), name


def test_every_previous_state_reader_runs_before_the_table_it_reads() -> None:
    readers = {(name, table) for name, sql in core_models().items()
               for table in _PREVIOUS.findall(sql)}
    assert len(readers) >= 8
    for reader, table in readers:
        assert reader in upstream(table), f"{table} must declare depends_on {reader}"


@pytest.mark.parametrize(("later", "earlier"), [
    ("fact_order_items", "dim_product"), ("fact_order_items", "dim_customer"),
    ("fact_orders", "fact_order_items"), ("fact_reviews", "dim_product"),
    ("fact_inventory_daily", "dim_product"), ("mart_daily_sales", "mart_customer_lifetime"),
    ("mart_inventory_daily", "mart_daily_product_sales"),
    ("mart_cohort_activity", "mart_customer_daily_sales"),
    ("mart_attribution_daily", "fact_sessions"), ("scope_orders", "dim_changes"),
])
def test_models_run_after_the_models_they_read(later: str, earlier: str) -> None:
    assert earlier in upstream(later)


def test_a_build_needs_a_batch_or_a_full_refresh() -> None:
    with pytest.raises(ValueError, match="batch id or full_refresh"):
        BuildRequest()
    assert BuildRequest(full_refresh=True).batch_id is None
