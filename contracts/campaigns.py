"""campaigns v1: a marketing campaign that orders and clicks can be attributed to."""

from __future__ import annotations

from contracts.base import ContractModel, CrossFieldProblem
from contracts.enums import CampaignChannel
from contracts.field_types import Id, IsoDate, Money, Percent, Text


class CampaignsV1(ContractModel):
    ENTITY = "campaigns"
    VERSION = 1
    NATURAL_KEY = ("campaign_id",)
    PARTITION_KEY = ("campaign_id",)

    campaign_id: Id
    name: Text
    channel: CampaignChannel | None = None
    start_date: IsoDate
    end_date: IsoDate
    budget: Money | None = None
    discount_pct: Percent | None = None

    def cross_field_problems(self) -> list[CrossFieldProblem]:
        if self.end_date < self.start_date:
            return [
                CrossFieldProblem(
                    "end_date", f"end_date {self.end_date} is before start_date {self.start_date}"
                )
            ]
        return []
