"""Incremental builds at batch boundaries: sessions, late status changes, replays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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


def sessions(wh: Warehouse) -> list[tuple]:
    return wh.rows("SELECT visitor_id, session_start::text, session_end::text, event_count,"
                   " reached_purchase FROM warehouse.fact_sessions ORDER BY 1, 2")


def assert_matches_full_refresh(wh: Warehouse) -> None:
    incremental = warehouse_snapshot(wh.database.url)
    assert wh.build().status == "succeeded"
    assert warehouse_snapshot(wh.database.url) == incremental


def test_a_session_spanning_two_batches_is_one_session(database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", clickstream=[
        event("e1", "2026-01-01T23:40:00Z", "anon-1"),
        event("e2", "2026-01-01T23:55:00Z", "anon-1", "add_to_cart")])
    wh.load("b2", "2026-01-02", clickstream=[
        event("e3", "2026-01-02T00:10:00Z", "anon-1", "checkout_start"),
        event("e4", "2026-01-02T00:20:00Z", "anon-1", "purchase"),
        event("e5", "2026-01-02T01:00:00Z", "anon-1")])  # 40 minutes later: a new session

    assert sessions(wh) == [
        ("a:anon-1", "2026-01-01 23:40:00+00", "2026-01-02 00:20:00+00", 4, True),
        ("a:anon-1", "2026-01-02 01:00:00+00", "2026-01-02 01:00:00+00", 1, False)]
    assert wh.rows("SELECT session_date::text, sessions, add_to_cart_sessions,"
                   " checkout_sessions, purchase_sessions FROM marts.daily_funnel"
                   " ORDER BY 1") == [("2026-01-01", 1, 1, 1, 1), ("2026-01-02", 1, 0, 0, 0)]
    assert_matches_full_refresh(wh)


def test_a_late_event_rejoins_a_stored_session_across_midnight(database: Database) -> None:
    # int_session_events reads stored events per UTC date of the window: the window of the
    # late event runs from 23:40 to the stored session's end after midnight, so the event
    # at 00:10 is found only by the probe of the second date.
    wh = Warehouse(database)
    wh.load("b1", "2026-01-02", clickstream=[
        event("m1", "2026-01-01T23:55:00Z", "anon-m"),
        event("m2", "2026-01-02T00:10:00Z", "anon-m", "product_view")])
    wh.load("b2", "2026-01-03", clickstream=[event("m0", "2026-01-01T23:40:00Z", "anon-m")])

    assert sessions(wh) == [
        ("a:anon-m", "2026-01-01 23:40:00+00", "2026-01-02 00:10:00+00", 3, False)]
    assert wh.rows("SELECT count(DISTINCT session_id) FROM warehouse.fact_events") == [(1,)]
    assert_matches_full_refresh(wh)


def test_a_late_event_merges_two_sessions_and_gaps_of_30_minutes_split(
        database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", clickstream=[
        event("e1", "2026-01-01T10:00:00Z", "C1"),
        event("e2", "2026-01-01T10:50:00Z", "C1", "product_view")])
    assert len(sessions(wh)) == 2
    wh.load("b2", "2026-01-02", clickstream=[event("late", "2026-01-01T10:25:00Z", "C1")])
    assert sessions(wh) == [
        ("c:C1", "2026-01-01 10:00:00+00", "2026-01-01 10:50:00+00", 3, False)]
    wh.load("b3", "2026-01-03", clickstream=[event("e3", "2026-01-01T11:20:00Z", "C1")])
    assert [s[3] for s in sessions(wh)] == [3, 1]  # exactly 30 minutes: a new session
    assert_matches_full_refresh(wh)


def test_recent_and_late_events_find_their_neighbouring_sessions(database: Database) -> None:
    # visitor_windows: windows after "three days before the latest event" read the recent
    # sessions by time, older windows (late events) probe by visitor; both must merge.
    wh = Warehouse(database)
    wh.load("b1", "2026-01-06", clickstream=[
        event("a1", "2026-01-01T10:00:00Z", "anon-late"),
        event("a2", "2026-01-01T10:20:00Z", "anon-late"),
        event("a3", "2026-01-06T09:00:00Z", "anon-late"),
        event("r1", "2026-01-06T08:50:00Z", "anon-recent"),
        event("r2", "2026-01-06T09:00:00Z", "anon-recent")])
    wh.load("b2", "2026-01-07", clickstream=[
        event("a4", "2026-01-01T10:45:00Z", "anon-late"),  # five days late: joins a1-a2
        event("r3", "2026-01-06T09:25:00Z", "anon-recent", "add_to_cart"),  # joins r1-r2
        event("n1", "2026-01-06T09:30:00Z", "anon-new")])
    assert sessions(wh) == [
        ("a:anon-late", "2026-01-01 10:00:00+00", "2026-01-01 10:45:00+00", 3, False),
        ("a:anon-late", "2026-01-06 09:00:00+00", "2026-01-06 09:00:00+00", 1, False),
        ("a:anon-new", "2026-01-06 09:30:00+00", "2026-01-06 09:30:00+00", 1, False),
        ("a:anon-recent", "2026-01-06 08:50:00+00", "2026-01-06 09:25:00+00", 3, False)]
    assert_matches_full_refresh(wh)


def test_late_events_join_stored_sessions_that_started_on_earlier_days(
        database: Database) -> None:
    # visitor_windows probes a late window's dates from the day before it starts: the
    # night session started the day before; the bot's session started days before and is
    # found only through the index of sessions longer than a day (decision 0086).
    wh = Warehouse(database)
    start = datetime(2025, 12, 30, tzinfo=UTC)
    wh.load("b1", "2026-01-02", clickstream=[
        event(f"bot{i}", (start + timedelta(minutes=20 * i)).isoformat(), "anon-bot")
        for i in range(241)] + [  # every 20 minutes until 2026-01-02 08:00
        event("night1", "2026-01-01T23:50:00Z", "anon-night"),
        event("night2", "2026-01-02T00:15:00Z", "anon-night")])
    wh.load("b2", "2026-01-07", clickstream=[
        event("bot-late", "2026-01-02T08:25:00Z", "anon-bot", "add_to_cart"),
        event("night-late", "2026-01-02T00:40:00Z", "anon-night"),
        event("other", "2026-01-07T09:00:00Z", "anon-other")])
    assert sessions(wh) == [
        ("a:anon-bot", "2025-12-30 00:00:00+00", "2026-01-02 08:25:00+00", 242, False),
        ("a:anon-night", "2026-01-01 23:50:00+00", "2026-01-02 00:40:00+00", 3, False),
        ("a:anon-other", "2026-01-07 09:00:00+00", "2026-01-07 09:00:00+00", 1, False)]
    assert_matches_full_refresh(wh)


def test_a_late_return_moves_revenue_out_of_the_order_date(database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", customers=[customer("C1", "gold", "2026-01-01T00:00:00Z")],
            products=[product("P1", "Toys", "2026-01-01T00:00:00Z")],
            orders=[order("O1", "C1", "2026-01-01T09:00:00Z", "delivered"),
                    order("O2", "C1", "2026-01-01T10:00:00Z", "paid")],
            order_items=[line("O1", 1, "P1", 2, "10.00", "1.00"), line("O2", 1, "P1")])
    assert wh.rows("SELECT revenue, orders, units FROM marts.daily_sales") == [
        (Decimal("29.00"), 2, 3)]

    result = wh.load("b5", "2026-01-05", orders=[
        order("O1", "C1", "2026-01-01T09:00:00Z", "returned", "2026-01-05T08:00:00Z"),
        order("O3", "C1", "2026-01-05T09:00:00Z")])
    assert date(2026, 1, 1) in result.dates
    assert wh.rows("SELECT sales_date::text, revenue, orders, units FROM marts.daily_sales"
                   " ORDER BY 1") == [("2026-01-01", Decimal("10.00"), 1, 1),
                                      ("2026-01-05", Decimal("0"), 1, 0)]
    assert wh.rows("SELECT total_revenue, orders, frequency, recency FROM"
                   " marts.customer_lifetime") == [(Decimal("10.00"), 2, 1, 4)]
    assert_matches_full_refresh(wh)


def test_order_versions_follow_updated_at_not_arrival(database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", products=[product("P1", "Toys", "2026-01-01T00:00:00Z")],
            orders=[order("O1", "C1", "2026-01-01T09:00:00Z")],
            order_items=[line("O1", 1, "P1")])
    wh.load("b2", "2026-01-02", orders=[
        order("O1", "C1", "2026-01-01T09:00:00Z", "cancelled", "2026-01-02T08:00:00Z")])
    # An older version (shipped on Jan 1 at 20:00) arrives last: it changes nothing.
    wh.load("b3", "2026-01-03", orders=[
        order("O1", "C1", "2026-01-01T09:00:00Z", "shipped", "2026-01-01T20:00:00Z")])
    assert wh.value("SELECT status FROM warehouse.fact_orders WHERE order_id = 'O1'") \
        == "cancelled"
    assert wh.rows("SELECT * FROM marts.daily_sales") == []
    assert wh.value("SELECT count(*) FROM marts.customer_lifetime") == 0
    assert_matches_full_refresh(wh)


def test_exact_duplicates_count_once_and_orders_without_lines_count(
        database: Database) -> None:
    wh = Warehouse(database)
    wh.load("b1", "2026-01-01", products=[product("P1", "Toys", "2026-01-01T00:00:00Z")],
            orders=[order("O1", "C1", "2026-01-01T09:00:00Z"),
                    order("O2", "C2", "2026-01-01T09:30:00Z")],
            order_items=[line("O1", 1, "P1", 3), line("O1", 1, "P1", 3)])
    assert wh.rows("SELECT revenue, orders, units, customers, new_customers"
                   " FROM marts.daily_sales") == [(Decimal("30.00"), 2, 3, 2, 2)]
    assert_matches_full_refresh(wh)
