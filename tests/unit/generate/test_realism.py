"""Statistical and behavioural properties of the clean four-week sample."""

from __future__ import annotations

import itertools
import json
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from tests.unit.generate.readback import Record, batch_dirs, read_csv, read_jsonl, utc

FUNNEL = ("page_view", "product_view", "add_to_cart", "checkout_start", "purchase")


@cache
def _entity(out: Path, entity: str) -> tuple[tuple[str, Record], ...]:
    """Every record of an entity as (batch_id, record), in arrival order."""
    found: list[tuple[str, Record]] = []
    for batch in batch_dirs(out):
        path = batch / (f"{entity}.jsonl" if entity == "clickstream" else f"{entity}.csv")
        if not path.exists():
            continue
        rows = read_jsonl(path) if path.suffix == ".jsonl" else read_csv(path)[1]
        found += [(batch.name, row.record) for row in rows if row.record is not None]
    return tuple(found)


def _new_orders(out: Path) -> dict[str, Record]:
    first: dict[str, Record] = {}
    for _, order in _entity(out, "orders"):
        first.setdefault(order["order_id"], order)
    return first


def _orders_per_day(out: Path) -> Counter[date]:
    return Counter(utc(o["order_ts"]).date() for o in _new_orders(out).values())


def _campaign_days(out: Path) -> set[date]:
    days: set[date] = set()
    for _, campaign in _entity(out, "campaigns"):
        day = date.fromisoformat(campaign["start_date"])
        while day <= date.fromisoformat(campaign["end_date"]):
            days.add(day)
            day += timedelta(days=1)
    return days


def test_weekends_sell_clearly_more(clean_out: Path) -> None:
    per_day, campaign_days = _orders_per_day(clean_out), _campaign_days(clean_out)
    ratios = []
    for in_campaign in (True, False):
        group = {d: n for d, n in per_day.items() if (d in campaign_days) == in_campaign}
        weekend = [n for d, n in group.items() if d.weekday() >= 5]
        weekday = [n for d, n in group.items() if d.weekday() < 5]
        if weekend and weekday:
            ratios.append(statistics.mean(weekend) / statistics.mean(weekday))
    assert ratios and all(ratio > 1.15 for ratio in ratios)


def test_campaigns_lift_sales_and_discount_their_orders(clean_out: Path) -> None:
    per_day, campaign_days = _orders_per_day(clean_out), _campaign_days(clean_out)
    weekdays = {d: n for d, n in per_day.items() if d.weekday() < 5}
    during = [n for d, n in weekdays.items() if d in campaign_days]
    outside = [n for d, n in weekdays.items() if d not in campaign_days]
    assert during and outside
    assert statistics.mean(during) > 1.1 * statistics.mean(outside)
    orders = _new_orders(clean_out)
    campaign_orders = {oid for oid, o in orders.items() if o["campaign_id"]}
    assert campaign_orders
    for order_id in campaign_orders:
        assert utc(orders[order_id]["order_ts"]).date() in campaign_days
    for _, line in _entity(clean_out, "order_items"):
        discounted = float(line["discount_amount"] or 0) > 0
        assert discounted == (line["order_id"] in campaign_orders)


def test_products_sell_nothing_on_their_stockout_days(clean_out: Path) -> None:
    stock: dict[tuple[str, str], list[int]] = defaultdict(list)
    for _, row in _entity(clean_out, "inventory"):
        stock[(row["snapshot_date"], row["product_id"])].append(int(row["on_hand"]))
    out_of_stock = {key for key, levels in stock.items() if not any(levels)}
    assert len(out_of_stock) >= 28  # several products a day
    assert all(2 <= len(levels) <= 3 for levels in stock.values())
    order_day = {oid: utc(o["order_ts"]).date().isoformat()
                 for oid, o in _new_orders(clean_out).items()}
    sold = {(order_day[line["order_id"]], line["product_id"])
            for _, line in _entity(clean_out, "order_items")}
    assert not sold & out_of_stock
    popular = Counter(product for _, product in sold).most_common(20)
    assert any((day, product) in out_of_stock for day, _ in sold for product, _ in popular)


def test_orders_have_about_two_and_a_half_lines(clean_out: Path) -> None:
    lines = len(_entity(clean_out, "order_items"))
    assert 2.2 < lines / len(_new_orders(clean_out)) < 2.9


def test_clickstream_funnel_narrows_and_purchases_match_orders(clean_out: Path) -> None:
    events = [event for _, event in _entity(clean_out, "clickstream")]
    orders = _new_orders(clean_out)
    sessions = _sessions(events)
    reached = [sum(1 for steps in sessions if step in steps) for step in FUNNEL]
    assert reached == sorted(reached, reverse=True) and len(set(reached)) == len(reached)
    counts = Counter(event["event_type"] for event in events)
    assert counts["product_view"] > counts["add_to_cart"] > counts["checkout_start"] > \
        counts["purchase"]
    for batch_id, event in _entity(clean_out, "clickstream"):
        if event["event_type"] == "purchase":
            order = orders[event["order_id"]]
            assert event["customer_id"] == order["customer_id"]
            assert f"batch-{utc(order['order_ts']).date()}" == batch_id
    campaign_ids = {c["campaign_id"] for _, c in _entity(clean_out, "campaigns")}
    utm = {e["utm_campaign"] for e in events if e.get("utm_campaign")}
    assert utm and utm <= campaign_ids


def test_sessions_look_like_a_real_shop(clean_out: Path) -> None:
    """Shops convert 1-5 % of sessions; about half bounce; most carts are abandoned."""
    events = [event for _, event in _entity(clean_out, "clickstream")]
    orders = _new_orders(clean_out)
    sessions = _session_events(events)
    purchases = sum(1 for kinds in sessions if "purchase" in kinds)
    carts = sum(1 for kinds in sessions if "add_to_cart" in kinds)
    checkouts = sum(1 for kinds in sessions if "checkout_start" in kinds)
    assert 0.02 < purchases / len(sessions) < 0.04  # conversion rate
    assert 25 < len(sessions) / len(orders) < 40
    assert 0.4 < sum(1 for kinds in sessions if len(kinds) == 1) / len(sessions) < 0.55
    assert 2.5 < len(events) / len(sessions) < 4.5
    assert 0.6 < 1 - purchases / carts < 0.8  # cart abandonment
    assert 0.25 < 1 - purchases / checkouts < 0.5  # checkout abandonment
    truth = json.loads((clean_out / "truth.json").read_text())["sessions"]
    assert (truth["total"], truth["by_kind"]["purchase"]) == (len(sessions), purchases)
    assert truth["conversion_rate"] == f"{purchases / len(sessions):.4f}"


def _session_events(events: list[Record]) -> list[list[str]]:
    """Each session's event types (a session: one anonymous id, gaps under 30 minutes)."""
    by_visitor: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for event in events:
        by_visitor[event["anonymous_id"]].append((utc(event["event_ts"]), event["event_type"]))
    sessions: list[list[str]] = []
    for visits in by_visitor.values():
        visits.sort()
        for (at, kind), previous in zip(visits, [None, *visits[:-1]], strict=True):
            if previous is None or at - previous[0] >= timedelta(minutes=30):
                sessions.append([])
            sessions[-1].append(kind)
    return sessions


def _sessions(events: list[Record]) -> list[set[str]]:
    """Per visitor, events split at gaps of 30 minutes or more."""
    by_visitor: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for event in events:
        visitor = event.get("customer_id") or event["anonymous_id"]
        by_visitor[f"{visitor}/{event['anonymous_id']}"].append(
            (utc(event["event_ts"]), event["event_type"]))
    sessions = []
    for visits in by_visitor.values():
        visits.sort()
        current: set[str] = set()
        for (at, kind), previous in zip(visits, [None, *visits[:-1]], strict=True):
            if previous is not None and at - previous[0] >= timedelta(minutes=30):
                sessions.append(current)
                current = set()
            current.add(kind)
        sessions.append(current)
    return sessions


def test_order_status_moves_forward_in_later_batches(clean_out: Path) -> None:
    allowed = {"placed": {"paid", "cancelled"}, "paid": {"shipped", "cancelled"},
               "shipped": {"delivered"}, "delivered": {"returned"}}
    versions: dict[str, list[tuple[str, Record]]] = defaultdict(list)
    for batch_id, order in _entity(clean_out, "orders"):
        versions[order["order_id"]].append((batch_id, order))
    finals: Counter[str] = Counter()
    for history in versions.values():
        assert history[0][1]["status"] in ("placed", "paid")
        for (batch_a, a), (batch_b, b) in itertools.pairwise(history):
            assert batch_a < batch_b
            assert utc(a["updated_at"]) < utc(b["updated_at"])
            assert b["status"] in allowed[a["status"]]
        last = utc(history[-1][1]["updated_at"]) - utc(history[0][1]["order_ts"])
        assert last <= timedelta(days=15)
        finals[history[-1][1]["status"]] += 1
    assert {"delivered", "cancelled", "returned", "shipped"} <= set(finals)


def test_reviews_follow_delivery(clean_out: Path) -> None:
    delivered = {o["order_id"]: utc(o["updated_at"]) for _, o in _entity(clean_out, "orders")
                 if o["status"] == "delivered"}
    reviews = [review for _, review in _entity(clean_out, "reviews")]
    assert len(reviews) > 50
    for review in reviews:
        assert utc(review["review_ts"]) > delivered[review["order_id"]]
        assert 1 <= int(review["rating"]) <= 5


def test_catalogue_and_customers_change_over_time(clean_out: Path) -> None:
    products = _entity(clean_out, "products")
    first_batch = batch_dirs(clean_out)[0].name
    initial = {p["product_id"]: p for batch, p in products if batch == first_batch}
    assert len(initial) == 650
    assert len({p["category"] for p in initial.values()}) == 6
    first_order = min(utc(o["order_ts"]) for o in _new_orders(clean_out).values())
    assert all(utc(p["updated_at"]) < first_order for p in initial.values())
    later = [p for batch, p in products if batch != first_batch]
    assert any(p["list_price"] != initial[p["product_id"]]["list_price"] for p in later)
    customers = _entity(clean_out, "customers")
    segments = Counter(c["segment"] for _, c in customers)
    assert set(segments) == {"bronze", "silver", "gold", "platinum"}
    seen: dict[str, Record] = {}
    upgrades = moves = 0
    for _, customer in customers:
        before = seen.get(customer["customer_id"])
        if before is not None:
            upgrades += before["segment"] != customer["segment"]
            moves += before["city"] != customer["city"]
        seen[customer["customer_id"]] = customer
    assert upgrades > 0 and moves > 0
    new_per_batch = Counter(batch for batch, c in customers if c["signup_date"] >= "2026-01-05")
    assert len(new_per_batch) >= 27
