"""Which warehouse tables `shopflow export` writes, and the date each row is filed under."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExportTable:
    name: str  # what --table takes, and the output folder
    relation: str  # schema.table
    date_column: str  # partitions by its month; --since filters on it


TABLES: dict[str, ExportTable] = {t.name: t for t in (
    ExportTable("fact_orders", "warehouse.fact_orders", "order_date"),
    ExportTable("fact_order_items", "warehouse.fact_order_items", "order_date"),
    ExportTable("fact_events", "warehouse.fact_events", "event_date"),
    ExportTable("fact_sessions", "warehouse.fact_sessions", "session_date"),
    ExportTable("fact_inventory_daily", "warehouse.fact_inventory_daily", "snapshot_date"),
    ExportTable("fact_reviews", "warehouse.fact_reviews", "review_date"),
    ExportTable("daily_sales", "marts.daily_sales", "sales_date"),
    ExportTable("daily_category_sales", "marts.daily_category_sales", "sales_date"),
    ExportTable("daily_product_sales", "marts.daily_product_sales", "sales_date"),
    ExportTable("customer_daily_sales", "marts.customer_daily_sales", "sales_date"),
    ExportTable("daily_funnel", "marts.daily_funnel", "session_date"),
    ExportTable("attribution_daily", "marts.attribution_daily", "order_date"),
    ExportTable("inventory_daily", "marts.inventory_daily", "snapshot_date"),
    ExportTable("customer_lifetime", "marts.customer_lifetime", "first_order_date"),
    ExportTable("cohort_activity", "marts.cohort_activity", "activity_month"),
)}


class UnknownTable(ValueError):
    pass


def chosen_tables(names: list[str]) -> list[ExportTable]:
    """The tables named (all of them when none is)."""
    unknown = [name for name in names if name not in TABLES]
    if unknown:
        raise UnknownTable(f"unknown table {', '.join(unknown)}; one of: {', '.join(TABLES)}")
    return [TABLES[name] for name in names] if names else list(TABLES.values())
