"""campaigns v1: a marketing campaign that orders and clicks can be attributed to."""

from __future__ import annotations

from contracts.base import ContractModel, CrossFieldProblem, cross_field_rules
from contracts.enums import CampaignChannel
from contracts.field_types import Id, IsoDate, Money, Name, Percent


class CampaignsV1(ContractModel):
    ENTITY = "campaigns"
    VERSION = 1
    NATURAL_KEY = ("campaign_id",)
    PARTITION_KEY = ("campaign_id",)

    campaign_id: Id
    name: Name
    channel: CampaignChannel | None = None
    start_date: IsoDate
    end_date: IsoDate
    budget: Money | None = None
    discount_pct: Percent | None = None

    JSON_SCHEMA_RULES = {
        "x-shopflow-rules": [
            {"rule": "not_before", "field": "end_date", "other": "start_date",
             "description": "end_date >= start_date (cross_field)"},
        ],
    }
    _cross_field = cross_field_rules()

    def cross_field_problems(self) -> list[CrossFieldProblem]:
        if self.end_date < self.start_date:
            return [
                CrossFieldProblem(
                    "end_date", f"end_date {self.end_date} is before start_date {self.start_date}"
                )
            ]
        return []
