"""Response models of the sales, product and marketing figures."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from services.dashboard_api.paging import Page
from services.dashboard_api.schemas.common import Money, Range, Rate

Grain = Literal["day", "week", "month"]
RankBy = Literal["revenue", "units"]
AttributionModel = Literal["first_touch", "last_touch", "linear"]


class Kpis(BaseModel):
    range: Range
    revenue: Money = Field(description="Net line amounts of orders not cancelled/returned")
    orders: int = Field(ge=0)
    aov: Money = Field(description="Average order value: revenue / orders")
    units: int = Field(ge=0)
    customers: int = Field(ge=0, description="Distinct customers with an order in the range")
    new_customers: int = Field(ge=0, description="Customers whose first order is in the range")
    sessions: int = Field(ge=0)
    conversion_rate: Rate = Field(description="Sessions with a purchase / sessions")
    as_of: date | None = Field(description="Last date in the warehouse (null: empty)")


class SalesPoint(BaseModel):
    period: date = Field(description="First day of the period (weeks start on Monday)")
    start: date = Field(description="First day of the period inside the range")
    end: date = Field(description="Last day of the period inside the range")
    revenue: Money
    orders: int = Field(ge=0)
    units: int = Field(ge=0)


class Sales(BaseModel):
    range: Range
    grain: Grain
    category: str | None
    channel: str | None = None
    points: list[SalesPoint]


class TopProduct(BaseModel):
    rank: int = Field(ge=1)
    product_id: str
    name: str | None
    category: str
    revenue: Money
    units: int
    orders: int


class TopProducts(Page):
    range: Range
    by: RankBy
    items: list[TopProduct]


class CategoryFigures(BaseModel):
    category: str
    revenue: Money
    orders: int = Field(ge=0, description="Orders with at least one line in the category")
    units: int = Field(ge=0)
    cost: Money
    margin: Money = Field(description="revenue - cost of goods")
    margin_rate: float = Field(description="margin / revenue")
    revenue_share: Rate = Field(description="Share of the range's revenue")


class Categories(BaseModel):
    range: Range
    items: list[CategoryFigures]


class FunnelStep(BaseModel):
    step: Literal["session", "product_view", "add_to_cart", "checkout", "purchase"]
    sessions: int = Field(ge=0, description="Sessions that reached this step")
    step_conversion: Rate = Field(description="Sessions at this step / at the previous step")
    overall_conversion: Rate = Field(description="Sessions at this step / all sessions")


class Funnel(BaseModel):
    range: Range
    sessions: int = Field(ge=0)
    conversion_rate: Rate
    steps: list[FunnelStep]


class CampaignCredit(BaseModel):
    campaign_id: str = Field(description="'(none)' for orders without a campaign touch")
    campaign_name: str | None
    channel: str = Field(description="Campaign channel; 'direct' for '(none)'")
    revenue: Money
    orders: float = Field(ge=0, description="Orders credited (fractional for linear)")


class ChannelCredit(BaseModel):
    channel: str
    revenue: Money
    orders: float = Field(ge=0)


class Attribution(BaseModel):
    range: Range
    model: AttributionModel
    campaigns: list[CampaignCredit]
    channels: list[ChannelCredit]


class ProductStockouts(BaseModel):
    product_id: str
    name: str | None
    category: str | None
    stockout_days: int = Field(ge=0, description="Days with nothing on hand anywhere")
    days_observed: int = Field(ge=0, description="Days with an inventory snapshot")
    below_reorder_days: int = Field(ge=0)
    average_on_hand: float = Field(ge=0)
    units_sold: int = Field(ge=0)
    turnover: float | None = Field(description="units sold / average on hand (null: none)")


class Stockouts(Page):
    range: Range
    items: list[ProductStockouts]
