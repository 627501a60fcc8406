"""The SQL models and checks, in the order a build runs them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

MODELS_DIR = Path(__file__).parent / "models"
CHECKS_DIR = Path(__file__).parent / "checks"

SCOPE_TABLES = "scope_tables"
SCOPE_BATCH = "scope_batch"
SCOPE_FULL = "scope_full"

# Dimensions first (facts look up their versions), then the facts, then marts;
# int_* models are intermediate working tables or scope extensions.
MODELS = (
    "dim_date",
    "dim_customer",
    "dim_product",
    "dim_campaign",
    "int_dimension_changes",
    "int_order_versions",
    "fact_order_items",
    "fact_orders",
    "int_event_versions",
    "int_sessionized_events",
    "fact_events",
    "fact_sessions",
    "fact_inventory_daily",
    "fact_reviews",
    "mart_customer_lifetime",
    "int_attribution_dates",
    "mart_customer_daily_sales",
    "mart_daily_sales",
    "mart_daily_category_sales",
    "mart_daily_product_sales",
    "mart_daily_funnel",
    "mart_attribution_daily",
    "mart_inventory_daily",
    "mart_cohort_activity",
)

CHECKS = (
    "reconcile_staging_to_facts",
    "reconcile_facts_to_marts",
    "null_and_orphan_keys",
    "negative_amounts",
    "duplicate_natural_keys",
    "freshness",
)


def build_plan(full_refresh: bool) -> list[str]:
    """Model names in execution order for one build."""
    return [SCOPE_TABLES, SCOPE_FULL if full_refresh else SCOPE_BATCH, *MODELS]


@cache
def model_sql(name: str) -> str:
    return (MODELS_DIR / f"{name}.sql").read_text(encoding="utf-8")


@cache
def check_sql(name: str) -> str:
    return (CHECKS_DIR / f"{name}.sql").read_text(encoding="utf-8")
