"""Response models of the customers, inventory and campaigns pages."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from services.dashboard_api.paging import Page
from services.dashboard_api.schemas.common import Money, Range
from services.dashboard_api.schemas.sales import AttributionModel, Grain

ChurnRisk = Literal["low", "medium", "high"]


class RfmCell(BaseModel):
    r_score: int = Field(ge=1, le=5, description="Recency score (5: bought recently)")
    f_score: int = Field(ge=1, le=5, description="Frequency score (5: many orders)")
    customers: int = Field(ge=0)
    revenue: Money = Field(description="Lifetime revenue of these customers")
    segment: str = Field(description="The RFM segment of this cell")


class RfmGrid(BaseModel):
    as_of: date | None
    customers: int = Field(ge=0, description="Customers with at least one order")
    cells: list[RfmCell] = Field(description="Only cells with customers")


class CustomerRow(BaseModel):
    customer_id: str
    segment: str | None
    country: str | None
    rfm_segment: str
    churn_risk: ChurnRisk | None
    churn_score: float | None = Field(description="Days since last order / usual gap")
    orders: int = Field(ge=0)
    total_revenue: Money
    last_order_date: date | None
    days_since_last_order: int | None


class CustomerList(Page):
    as_of: date | None
    churn_risk: ChurnRisk | None
    rfm_segment: str | None
    items: list[CustomerRow]


class ProductAtRisk(BaseModel):
    product_id: str
    name: str | None
    category: str | None
    snapshot_date: date = Field(description="The product's latest inventory snapshot")
    on_hand: int
    reorder_point: int | None
    warehouses: int = Field(ge=0)
    warehouses_out: int = Field(ge=0, description="Warehouses with nothing on hand")
    is_stockout: bool
    below_reorder_point: bool
    daily_units: float = Field(ge=0, description="Units sold per day, last 28 days")
    days_of_cover: float | None = Field(
        description="on_hand / daily_units (null: nothing sold lately)")


class StockRisk(Page):
    as_of: date | None = Field(description="The latest inventory snapshot date")
    items: list[ProductAtRisk]


class CampaignFigures(BaseModel):
    campaign_id: str
    name: str | None
    channel: str | None
    start_date: date | None
    end_date: date | None
    budget: Money | None
    first_touch: Money = Field(description="Revenue credited under first touch")
    last_touch: Money = Field(description="Revenue credited under last touch")
    linear: Money = Field(description="Revenue credited under linear")
    orders_last_touch: float = Field(ge=0)


class CampaignList(BaseModel):
    range: Range
    items: list[CampaignFigures]


class CampaignPoint(BaseModel):
    period: date
    start: date
    end: date
    revenue: Money
    orders: float = Field(ge=0)


class CampaignSeries(BaseModel):
    campaign_id: str
    range: Range
    model: AttributionModel
    grain: Grain
    points: list[CampaignPoint]
