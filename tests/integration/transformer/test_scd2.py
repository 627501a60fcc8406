"""SCD Type 2 dimensions: versions, out-of-order arrival, inferred members."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.conftest import TestDatabase as Database
from tests.integration.transformer.conftest import warehouse_snapshot
from tests.integration.transformer.scenario import Warehouse, customer, line, order, product

pytestmark = pytest.mark.integration

P1 = product("P1", "Toys", "2026-01-01T00:00:00Z")


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def versions(wh: Warehouse, customer_id: str) -> list[tuple]:
    return wh.rows("SELECT version_number, segment, valid_from, valid_to, is_current,"
                   " customer_key FROM warehouse.dim_customer WHERE customer_id = %s"
                   " ORDER BY version_number", customer_id)


def assert_matches_full_refresh(wh: Warehouse) -> None:
    incremental = warehouse_snapshot(wh.database.url)
    assert wh.build().status == "succeeded"
    assert warehouse_snapshot(wh.database.url) == incremental


def test_two_segment_changes_give_three_versions_and_orders_join_the_middle_one(
        database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", customers=[customer("C1", "bronze", "2026-01-01T08:00:00Z")],
            products=[P1])
    wh.load("b2", "2026-01-10", customers=[customer("C1", "silver", "2026-01-10T08:00:00Z")])
    wh.load("b3", "2026-01-15", orders=[order("O1", "C1", "2026-01-15T12:00:00Z")],
            order_items=[line("O1", 1, "P1")])
    wh.load("b4", "2026-01-20", customers=[customer("C1", "gold", "2026-01-20T08:00:00Z")])
    # The same record delivered again, and an unchanged record with a later
    # updated_at, open no version.
    wh.load("b5", "2026-01-21", customers=[customer("C1", "gold", "2026-01-20T08:00:00Z"),
                                           customer("C1", "gold", "2026-01-21T08:00:00Z")])

    rows = versions(wh, "C1")
    assert [r[:5] for r in rows] == [
        (1, "bronze", ts("2026-01-01T08:00:00"), ts("2026-01-10T08:00:00"), False),
        (2, "silver", ts("2026-01-10T08:00:00"), ts("2026-01-20T08:00:00"), False),
        (3, "gold", ts("2026-01-20T08:00:00"), None, True),
    ]
    middle_key = rows[1][5]
    assert wh.value("SELECT customer_key FROM warehouse.fact_orders WHERE order_id = 'O1'") \
        == middle_key
    assert wh.value("SELECT customer_key FROM warehouse.fact_order_items"
                    " WHERE order_id = 'O1'") == middle_key
    assert wh.value("SELECT segment FROM marts.customer_ltv WHERE customer_id = 'C1'") == "gold"
    history = wh.rows("SELECT segment FROM marts.customer_history WHERE customer_id = 'C1'"
                      " ORDER BY version_number")
    assert history == [("bronze",), ("silver",), ("gold",)]
    assert_matches_full_refresh(wh)


def test_an_out_of_order_version_lands_in_its_place_and_facts_follow(
        database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", customers=[customer("C2", "bronze", "2026-01-01T00:00:00Z")],
            products=[P1])
    wh.load("b2", "2026-01-20", customers=[customer("C2", "gold", "2026-01-20T00:00:00Z")],
            orders=[order("O2", "C2", "2026-01-15T00:00:00Z")],
            order_items=[line("O2", 1, "P1")])
    assert wh.value("SELECT d.segment FROM warehouse.fact_orders f JOIN warehouse.dim_customer"
                    " d USING (customer_key) WHERE f.order_id = 'O2'") == "bronze"

    # silver, valid from Jan 10, arrives after gold (Jan 20): it goes in between.
    wh.load("b3", "2026-01-21", customers=[customer("C2", "silver", "2026-01-10T00:00:00Z")])

    assert [r[1:5] for r in versions(wh, "C2")] == [
        ("bronze", ts("2026-01-01T00:00:00"), ts("2026-01-10T00:00:00"), False),
        ("silver", ts("2026-01-10T00:00:00"), ts("2026-01-20T00:00:00"), False),
        ("gold", ts("2026-01-20T00:00:00"), None, True),
    ]
    assert wh.value("SELECT d.segment FROM warehouse.fact_orders f JOIN warehouse.dim_customer"
                    " d USING (customer_key) WHERE f.order_id = 'O2'") == "silver"
    assert_matches_full_refresh(wh)


def test_inferred_members_are_completed_when_the_records_arrive(database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-05", orders=[order("O9", "C9", "2026-01-05T10:00:00Z")],
            order_items=[line("O9", 1, "P9", quantity=2, unit_price="15.00")])
    (inferred_key, inferred, country), = wh.rows(
        "SELECT customer_key, is_inferred, country FROM warehouse.dim_customer"
        " WHERE customer_id = 'C9'")
    assert inferred and country is None
    assert wh.rows("SELECT category, revenue FROM marts.daily_category_sales") == [
        ("unknown", Decimal("30.00"))]
    assert wh.value("SELECT is_inferred FROM warehouse.dim_product WHERE product_id = 'P9'")

    wh.load("b2", "2026-01-06",
            customers=[customer("C9", "silver", "2026-01-01T00:00:00Z", country="FR")],
            products=[product("P9", "Garden", "2026-01-01T00:00:00Z", unit_cost="6.00")])

    assert wh.rows("SELECT customer_key, is_inferred, country, segment"
                   " FROM warehouse.dim_customer WHERE customer_id = 'C9'") == [
        (inferred_key, False, "FR", "silver")]
    assert wh.value("SELECT customer_key FROM warehouse.fact_orders WHERE order_id = 'O9'") \
        == inferred_key
    # The old date is rebuilt: the sale moves to the real category, with its cost.
    assert wh.rows("SELECT sales_date::text, category, revenue, cost_amount"
                   " FROM marts.daily_category_sales") == [
        ("2026-01-05", "Garden", Decimal("30.00"), Decimal("12.00"))]
    assert_matches_full_refresh(wh)
