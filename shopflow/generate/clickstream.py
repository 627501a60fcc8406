"""Clickstream sessions: one per web/mobile order, ending in its purchase event, plus
abandoned sessions (bounces, browsers, cart and checkout abandoners).

Session-level funnel: page_view > product_view > add_to_cart > checkout_start >
purchase. Campaign traffic carries utm fields naming the campaign. The mix of abandoned
sessions follows what shops report (decision 0076): about half bounce, a cart is
abandoned about 7 times in 10, and checkout about 4 times in 10.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from shopflow.generate.campaigns import Campaign
from shopflow.generate.formats import TimestampFormatter
from shopflow.generate.orders import Order, OrderLine, weighted_index
from shopflow.generate.vocab import PAGES, REFERRERS, SITE, UTM_BY_CHANNEL

Step = tuple[str, str | None]  # (event_type, product_id)
_FIXED_PAGES = {"remove_from_cart": f"{SITE}/cart", "checkout_start": f"{SITE}/checkout",
                "purchase": f"{SITE}/checkout/thank-you"}
_ABANDON_KINDS = (("bounce", 47), ("browse", 45), ("cart", 6), ("checkout", 2))


@dataclass(frozen=True, slots=True)
class Visitor:
    customer_id: str | None
    anonymous_id: str
    device: str


class ClickstreamFactory:
    def __init__(self, rng: random.Random, fmt: TimestampFormatter, event_prefix: str,
                 product_ids: list[str], product_weights: list[float],
                 tally: Counter[str]) -> None:
        self._rng = rng
        self._tally = tally  # sessions by kind (purchase, bounce, browse, cart, checkout)
        self._fmt = fmt
        self._prefix = event_prefix
        self._product_ids = product_ids
        self._product_weights = product_weights
        self._sequence = 0

    def purchase_session(self, order: Order, lines: list[OrderLine],
                         touch: Campaign | None) -> list[dict[str, str | None]]:
        rng = self._rng
        self._tally["purchase"] += 1
        steps: list[Step] = [("page_view", None)] * rng.randint(1, 2)
        bought = [line.product_id for line in lines]
        browsed = list(bought)
        extra = self._browse_product() if rng.random() < 0.5 else None
        if extra is not None and extra not in bought:
            browsed.insert(rng.randint(0, len(browsed)), extra)
        for product_id in browsed:
            steps.append(("product_view", product_id))
            if product_id in bought:
                steps.append(("add_to_cart", product_id))
            elif rng.random() < 0.3:
                steps += [("add_to_cart", product_id), ("remove_from_cart", product_id)]
        steps += [("checkout_start", None), ("purchase", None)]
        device = "mobile" if order.channel == "mobile" else rng.choice(("desktop", "desktop",
                                                                         "desktop", "tablet"))
        visitor = Visitor(order.customer_id, self._anonymous_id(), device)
        times = self._times_ending_at(order.order_ts, len(steps))
        return self._events(steps, times, visitor, touch, order.order_id)

    def abandoned_session(self, start: datetime, customer_id: str | None,
                          touch: Campaign | None) -> list[dict[str, str | None]]:
        rng = self._rng
        kind = rng.choices([k for k, _ in _ABANDON_KINDS], [w for _, w in _ABANDON_KINDS])[0]
        self._tally[kind] += 1
        # A bounce is a single page; the warehouse counts a one-event session as one.
        pages = 1 if kind == "bounce" else rng.randint(1, 3)
        steps: list[Step] = [("page_view", None)] * pages
        if kind != "bounce":
            viewed = [self._browse_product() for _ in range(rng.randint(1, 4))]
            steps += [("product_view", product_id) for product_id in viewed]
            if kind in ("cart", "checkout"):
                steps += [("add_to_cart", product_id) for product_id in viewed[:2]]
                if rng.random() < 0.2:
                    steps.append(("remove_from_cart", viewed[0]))
            if kind == "checkout":
                steps.append(("checkout_start", None))
        device = rng.choice(("desktop", "mobile", "mobile", "tablet"))
        visitor = Visitor(customer_id, self._anonymous_id(), device)
        times = [start]
        for _ in steps[1:]:
            times.append(times[-1] + timedelta(seconds=rng.randint(10, 300)))
        return self._events(steps, times, visitor, touch, None)

    def _browse_product(self) -> str:
        return self._product_ids[weighted_index(self._rng, self._product_weights)]

    def _anonymous_id(self) -> str:
        return f"anon-{self._rng.getrandbits(40):010x}"

    def _times_ending_at(self, end: datetime, count: int) -> list[datetime]:
        times = [end]
        for _ in range(count - 1):
            times.append(times[-1] - timedelta(seconds=self._rng.randint(8, 240)))
        return times[::-1]

    def _events(self, steps: list[Step], times: list[datetime], visitor: Visitor,
                touch: Campaign | None, order_id: str | None) -> list[dict[str, str | None]]:
        utm: tuple[str | None, str | None, str | None] = (None, None, None)
        referrer: str | None = None if self._rng.random() < 0.3 else self._rng.choice(REFERRERS)
        if touch is not None:
            source, medium = UTM_BY_CHANNEL[touch.channel]
            utm = (source, medium, touch.campaign_id)
        events = []
        for (event_type, product_id), at in zip(steps, times, strict=True):
            self._sequence += 1
            page = self._page_url(event_type, product_id)
            events.append({
                "event_id": f"{self._prefix}-{self._sequence:07d}", "event_ts": self._fmt(at),
                "customer_id": visitor.customer_id, "anonymous_id": visitor.anonymous_id,
                "event_type": event_type, "product_id": product_id,
                "order_id": order_id if event_type == "purchase" else None,
                "page_url": page, "referrer": referrer, "utm_source": utm[0],
                "utm_medium": utm[1], "utm_campaign": utm[2], "device": visitor.device,
            })
            referrer = page
        return events

    def _page_url(self, event_type: str, product_id: str | None) -> str:
        if product_id is not None and event_type != "remove_from_cart":
            return f"{SITE}/p/{product_id}"
        if event_type == "page_view":
            return SITE + self._rng.choice(PAGES)
        return _FIXED_PAGES[event_type]


def choose_touch(rng: random.Random, order_campaign: Campaign | None,
                 active: Campaign | None) -> Campaign | None:
    """The campaign a purchase session came through, if any."""
    if order_campaign is not None:
        return order_campaign if rng.random() < 0.85 else None
    return active if active is not None and rng.random() < 0.1 else None

