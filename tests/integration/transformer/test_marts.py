"""Mart semantics the dashboard API relies on: attribution, LTV, cohorts, inventory."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import TestDatabase as Database
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

CATALOGUE = [product("P1", "Toys", "2025-12-01T00:00:00Z", unit_cost="4.00")]


def test_attribution_first_last_and_linear_touch(database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", products=CATALOGUE,
            customers=[customer("C1", "gold", "2025-12-01T00:00:00Z")],
            campaigns=[{"campaign_id": "winter", "name": "Winter", "channel": "email",
                        "start_date": "2026-01-01", "end_date": "2026-01-31"}],
            clickstream=[event("e1", "2026-01-01T08:00:00Z", "C1", utm_campaign="winter"),
                         event("e2", "2026-01-02T08:00:00Z", "C1", utm_campaign="social1")])
    wh.load("b3", "2026-01-03", orders=[order("O1", "C1", "2026-01-03T09:00:00Z",
                                              campaign_id="newyear"),
                                        order("O2", "C2", "2026-01-03T10:00:00Z")],
            order_items=[line("O1", 1, "P1", 1, "10.00"), line("O2", 1, "P1", 1, "7.00")])
    credits = {(m, c): (r, o) for m, c, r, o in wh.rows(
        "SELECT model, campaign_id, revenue, orders FROM marts.attribution_daily")}
    assert credits[("first_touch", "winter")] == (Decimal("10.00"), 1)
    assert credits[("last_touch", "newyear")] == (Decimal("10.00"), 1)
    assert credits[("linear", "winter")] == (Decimal("3.33"), Decimal("0.333333"))
    assert credits[("linear", "social1")] == (Decimal("3.33"), Decimal("0.333333"))
    assert credits[("linear", "newyear")] == (Decimal("3.34"), Decimal("0.333333"))
    assert credits[("first_touch", "(none)")] == (Decimal("7.00"), 1)
    assert wh.rows("SELECT channel FROM marts.attribution WHERE campaign_id = 'winter'"
                   " AND model = 'linear'") == [("email",)]

    # A touch arriving late (a session of Dec 28) becomes the first touch of O1.
    wh.load("b4", "2026-01-04", clickstream=[
        event("e0", "2025-12-28T08:00:00Z", "C1", utm_campaign="xmas")])
    assert wh.value("SELECT campaign_id FROM marts.attribution_daily"
                    " WHERE model = 'first_touch' AND revenue = 10") == "xmas"
    incremental = warehouse_snapshot(database.url)
    wh.build()
    assert warehouse_snapshot(database.url) == incremental


def test_customer_lifetime_bg_nbd_figures_rfm_and_cohorts(database: Database) -> None:
    wh = Warehouse(database)
    orders = [order("O1", "C1", "2026-01-01T09:00:00Z"),
              order("O2", "C1", "2026-01-01T18:00:00Z"),
              order("O3", "C1", "2026-01-05T09:00:00Z"),
              order("O4", "C1", "2026-02-03T09:00:00Z"),
              order("O5", "C2", "2026-02-10T09:00:00Z")]
    wh.load("b1", "2026-02-10", products=CATALOGUE, orders=orders,
            order_items=[line(o["order_id"], 1, "P1", 1, "100.00") for o in orders])
    ltv = wh.rows("SELECT customer_id, total_revenue, orders, first_order_date::text,"
                  " last_order_date::text, frequency, recency, t FROM marts.customer_ltv"
                  " ORDER BY 1")
    assert ltv == [("C1", Decimal("400.00"), 4, "2026-01-01", "2026-02-03", 2, 33, 40),
                   ("C2", Decimal("100.00"), 1, "2026-02-10", "2026-02-10", 0, 0, 0)]
    # C1: 7 days since the last order (R=5), 4 orders (F=3), an order every ~16 days.
    assert wh.rows("SELECT customer_id, r_score, f_score, rfm_segment, churn_risk"
                   " FROM marts.customer_ltv ORDER BY 1") == [
        ("C1", 5, 3, "potential_loyalists", "low"), ("C2", 5, 1, "new_customers", "low")]
    assert wh.rows("SELECT cohort_month::text, months_since_first, customers, cohort_customers,"
                   " retention_rate FROM marts.cohort_retention ORDER BY 1, 2") == [
        ("2026-01-01", 0, 1, 1, Decimal("1.0000")), ("2026-01-01", 1, 1, 1, Decimal("1.0000")),
        ("2026-02-01", 0, 1, 1, Decimal("1.0000"))]


def test_inventory_stockout_days_and_units_sold(database: Database) -> None:
    wh = Warehouse(database)
    stock = [{"snapshot_date": "2026-01-01", "product_id": "P1", "warehouse_id": "W1",
              "on_hand": 5, "reorder_point": 10},
             {"snapshot_date": "2026-01-01", "product_id": "P1", "warehouse_id": "W2",
              "on_hand": 0, "reorder_point": 10},
             {"snapshot_date": "2026-01-02", "product_id": "P1", "warehouse_id": "W1",
              "on_hand": 0, "reorder_point": 10}]
    wh.load("b1", "2026-01-02", products=CATALOGUE, inventory=stock,
            orders=[order("O1", "C1", "2026-01-01T10:00:00Z")],
            order_items=[line("O1", 1, "P1", 3)])
    assert wh.rows("SELECT snapshot_date, on_hand, warehouses_out, is_stockout,"
                   " below_reorder_point, units_sold FROM marts.inventory_daily ORDER BY 1") == [
        (date(2026, 1, 1), 5, 1, False, True, 3), (date(2026, 1, 2), 0, 1, True, True, 0)]


def test_calendar_iso_weeks_holidays_and_fiscal_year(database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", products=CATALOGUE)
    day = ("SELECT iso_year, iso_week, is_weekend, is_month_end, is_holiday, holiday_name,"
           " fiscal_year, fiscal_quarter FROM warehouse.dim_date WHERE full_date = %s")
    assert wh.rows(day, date(2027, 1, 1)) == [(2026, 53, False, False, True,
                                               "New Year's Day", 2027, 1)]
    assert wh.rows(day, date(2026, 4, 6)) == [(2026, 15, False, False, True,
                                               "Easter Monday", 2026, 2)]
    assert wh.rows(day, date(2026, 11, 28)) == [(2026, 48, True, False, False, None, 2026, 4)]
    assert wh.value("SELECT count(*) FROM warehouse.dim_date WHERE date_key = -1") == 1
    # A fiscal year starting in April is named after the year it ends in.
    wh.build("b1", fiscal_start_month=4)
    assert wh.rows("SELECT full_date::text, fiscal_year, fiscal_quarter, fiscal_month"
                   " FROM warehouse.dim_date WHERE full_date IN ('2026-03-31', '2026-04-01')"
                   " ORDER BY 1") == [("2026-03-31", 2026, 4, 12), ("2026-04-01", 2027, 1, 1)]
