"""A day's new orders with their lines, and the clickstream around them.

Orders come in time order; each web/mobile order gets a session ending in its
purchase event, and abandoned sessions are interleaved by start time.
"""

from __future__ import annotations

import bisect
from collections import deque
from datetime import date, datetime

from shopflow.generate.campaigns import CAMPAIGN_ORDER_SHARE, Campaign
from shopflow.generate.clickstream import ClickstreamFactory, choose_touch
from shopflow.generate.config import batch_id_for
from shopflow.generate.customers import Customer
from shopflow.generate.orders import Order, OrderLine, daily_order_count, order_times
from shopflow.generate.orders import weighted_index as pick_index
from shopflow.generate.world import World
from shopflow.generate.writer import BatchWriter

_FRESH_CUSTOMER_ORDER_CHANCE = 0.6
# 85 % of orders are web/mobile, each with its purchase session: 27 abandoned sessions
# per order make about 3 % of sessions convert (shops see 1-5 %; decision 0076).
_ABANDONED_SESSIONS_PER_ORDER = 27.0
_KNOWN_VISITOR_CHANCE = 0.3
AbandonedPlan = tuple[datetime, str | None, Campaign | None]


def emit_sales(world: World, day_index: int, writer: BatchWriter, stockouts: frozenset[str],
               fresh: list[Customer]) -> None:
    rng = world.rng
    business_date = world.config.business_date(day_index)
    campaign = world.campaigns.active_on(business_date)
    count = daily_order_count(rng, world.config.orders_per_day, business_date, campaign)
    times = order_times(rng, business_date, count)
    products = world.catalogue.products
    product_ids = [product.product_id for product in products]
    product_weights = _cumulative([0.0 if p.product_id in stockouts else p.popularity
                                   for p in products])
    # Today's sign-ups are the last customers; only earlier ones are drawn by propensity.
    weights = world.customers.order_weights(limit=len(world.customers.customers) - len(fresh))
    buyers = _assign_buyers(world, day_index, times, fresh, weights)
    clicks = ClickstreamFactory(rng, world.fmt, f"evt-{business_date:%Y%m%d}", product_ids,
                                product_weights, world.truth.sessions)
    abandoned = deque(_plan_abandoned(world, business_date, count, campaign, weights))
    for number, (order_ts, customer_id) in enumerate(zip(times, buyers, strict=True), 1):
        order_campaign = campaign if campaign and rng.random() < CAMPAIGN_ORDER_SHARE else None
        order, lines = world.orders.make(f"ord-{business_date:%Y%m%d}-{number:06d}",
                                         customer_id, order_ts, order_campaign, product_weights)
        _emit_order(world, day_index, writer, order, lines)
        world.lifecycle.plan(order, lines, day_index)
        if order.channel in ("web", "mobile"):
            _emit_abandoned(clicks, writer, abandoned, until=order_ts)
            touch = choose_touch(rng, order_campaign, campaign)
            for event in clicks.purchase_session(order, lines, touch):
                writer.emit("clickstream", event)
    _emit_abandoned(clicks, writer, abandoned, until=None)


def _emit_order(world: World, day_index: int, writer: BatchWriter, order: Order,
                lines: list[OrderLine]) -> None:
    sales = world.truth.sales
    sales.order_version(order, day_index, writer.emit("orders", order.record(world.fmt)))
    blank_zero_discount = world.rng.random() < 0.1  # some sources leave a zero discount empty
    for line in lines:
        kept = writer.emit("order_items", line.record(order.order_id, blank_zero_discount))
        sales.order_line(order, line, day_index, kept)
        world.inventory.record_sale(line.product_id, line.quantity)


def _assign_buyers(world: World, day_index: int, times: list[datetime],
                   fresh: list[Customer], weights: list[float]) -> list[str]:
    """Existing customers by segment propensity; some of today's sign-ups buy too."""
    rng = world.rng
    customers = world.customers.customers
    buyers = [customers[pick_index(rng, weights)].customer_id for _ in times]
    late = fresh[0] if day_index in world.late_arrivals else None
    taken: set[int] = set()
    for customer in fresh:
        if customer is not late and rng.random() >= _FRESH_CUSTOMER_ORDER_CHANCE:
            continue
        first_slot = bisect.bisect_right(times, customer.updated_at)
        free = [slot for slot in range(first_slot, len(times)) if slot not in taken]
        if not free:
            continue
        slot = rng.choice(free)
        taken.add(slot)
        buyers[slot] = customer.customer_id
        if customer is late:
            world.late_first_orders[customer.customer_id] = batch_id_for(customer.signup_date)
    return buyers


def _plan_abandoned(world: World, business_date: date, order_count: int,
                    campaign: Campaign | None, weights: list[float]) -> list[AbandonedPlan]:
    rng = world.rng
    customers = world.customers.customers
    starts = order_times(rng, business_date, round(order_count * _ABANDONED_SESSIONS_PER_ORDER))
    plans: list[AbandonedPlan] = []
    for start in starts:
        known = rng.random() < _KNOWN_VISITOR_CHANCE
        customer_id = customers[pick_index(rng, weights)].customer_id if known else None
        touch = campaign if campaign is not None and rng.random() < 0.3 else None
        plans.append((start, customer_id, touch))
    return plans


def _emit_abandoned(clicks: ClickstreamFactory, writer: BatchWriter,
                    plans: deque[AbandonedPlan], until: datetime | None) -> None:
    while plans and (until is None or plans[0][0] <= until):
        start, customer_id, touch = plans.popleft()
        for event in clicks.abandoned_session(start, customer_id, touch):
            writer.emit("clickstream", event)


def _cumulative(weights: list[float]) -> list[float]:
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return cumulative
