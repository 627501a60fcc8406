"""Marketing campaigns: date windows with a discount that lifts sales.

The whole schedule is planned up front (a handful of campaigns per month). A
campaign record is delivered a few days before it starts, and again when its
budget changes (campaigns have no updated_at: the later batch wins).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shopflow.generate.formats import money
from shopflow.generate.vocab import CAMPAIGN_CHANNELS, CAMPAIGN_THEMES

_LIFT_PER_DISCOUNT_POINT = 0.016
CAMPAIGN_ORDER_SHARE = 0.4


@dataclass(slots=True)
class Campaign:
    campaign_id: str
    name: str
    channel: str
    start_date: date
    end_date: date
    budget: Decimal
    discount_pct: int
    announced: bool = False

    def record(self) -> dict[str, str | None]:
        return {
            "campaign_id": self.campaign_id, "name": self.name, "channel": self.channel,
            "start_date": self.start_date.isoformat(), "end_date": self.end_date.isoformat(),
            "budget": money(self.budget), "discount_pct": str(self.discount_pct),
        }

    def is_active(self, business_date: date) -> bool:
        return self.start_date <= business_date <= self.end_date

    @property
    def sales_lift(self) -> float:
        return 1.0 + self.discount_pct * _LIFT_PER_DISCOUNT_POINT


class CampaignBook:
    def __init__(self, rng: random.Random, first_day: date, days: int) -> None:
        self._rng = rng
        self._first_day = first_day
        self._campaigns: list[Campaign] = []
        self._deliveries: dict[int, list[Campaign]] = {}
        self._plan(first_day, first_day + timedelta(days=days))

    def _plan(self, first_day: date, end: date) -> None:
        rng = self._rng
        cursor = first_day - timedelta(days=20)
        while cursor < end:
            begins = cursor + timedelta(days=rng.randint(4, 10))
            ends = begins + timedelta(days=rng.randint(2, 7))
            number = len(self._campaigns) + 1
            campaign = Campaign(
                campaign_id=f"camp-{number:04d}",
                name=f"{rng.choice(CAMPAIGN_THEMES)} #{number}",
                channel=rng.choice(CAMPAIGN_CHANNELS), start_date=begins, end_date=ends,
                budget=Decimal(rng.randint(2, 60) * 500), discount_pct=rng.choice((10, 15, 20,
                                                                                    25, 30)))
            self._campaigns.append(campaign)
            self._deliver(self._index(begins) - rng.randint(1, 4), campaign)
            if rng.random() < 0.25:
                self._deliver(self._index(begins) + rng.randint(0, 2), campaign)
            cursor = ends

    def _index(self, day: date) -> int:
        return (day - self._first_day).days

    def _deliver(self, day_index: int, campaign: Campaign) -> None:
        batch = self._deliveries.setdefault(max(0, day_index), [])
        if campaign not in batch:
            batch.append(campaign)

    def deliveries(self, day_index: int) -> list[Campaign]:
        """Campaign records in today's batch; a re-delivery carries a raised budget."""
        delivered = self._deliveries.pop(day_index, [])
        for campaign in delivered:
            if campaign.announced:
                campaign.budget += Decimal(self._rng.randint(1, 10) * 250)
            campaign.announced = True
        return delivered

    def active_on(self, business_date: date) -> Campaign | None:
        for campaign in self._campaigns:
            if campaign.is_active(business_date):
                return campaign
        return None
