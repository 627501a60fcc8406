"""Everything that persists from one business day to the next."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from shopflow.generate.campaigns import CampaignBook
from shopflow.generate.config import GenerationConfig, rng_stream
from shopflow.generate.customers import CustomerBook
from shopflow.generate.formats import TimestampFormatter
from shopflow.generate.inventory import Inventory
from shopflow.generate.lifecycle import Lifecycle
from shopflow.generate.orders import OrderFactory
from shopflow.generate.products import Catalogue
from shopflow.generate.truth import TruthBook

_LATE_ARRIVAL_EVERY_DAYS = 10


@dataclass
class World:
    config: GenerationConfig
    rng: random.Random
    fmt: TimestampFormatter
    customers: CustomerBook
    catalogue: Catalogue
    campaigns: CampaignBook
    inventory: Inventory
    lifecycle: Lifecycle
    orders: OrderFactory
    truth: TruthBook
    # signup day -> day the late customer's record is delivered
    late_arrivals: dict[int, int]
    # late customer id -> batch of their first order, until their record arrives
    late_first_orders: dict[str, str] = field(default_factory=dict)


def build_world(config: GenerationConfig, truth: TruthBook) -> World:
    rng = rng_stream(config.seed, "data")
    catalogue = Catalogue(rng, config.start)
    return World(
        config=config, rng=rng, fmt=TimestampFormatter(rng_stream(config.seed, "timestamps")),
        customers=CustomerBook(rng, config.orders_per_day), catalogue=catalogue,
        campaigns=CampaignBook(rng, config.start, config.days),
        inventory=Inventory(rng, catalogue.products), lifecycle=Lifecycle(rng),
        orders=OrderFactory(rng, catalogue), truth=truth,
        late_arrivals=plan_late_arrivals(rng, config.days))


def plan_late_arrivals(rng: random.Random, days: int) -> dict[int, int]:
    """About one late-arriving customer per ten days, whose record comes 2-4 days late."""
    plan = {}
    for window_start in range(0, days, _LATE_ARRIVAL_EVERY_DAYS):
        signup_day = window_start + rng.randint(1, 5)
        record_day = signup_day + rng.randint(2, 4)
        if record_day < days:
            plan[signup_day] = record_day
    return plan
