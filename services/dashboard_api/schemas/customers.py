"""Response models of the customer figures: lifetime value, segments, cohorts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.dashboard_api.schemas.common import Money, Rate

_PERSONAL = "Personal data: null unless the API key has the scope customers:read"


class CustomerVersion(BaseModel):
    """One SCD2 version of the customer (valid_from inclusive, valid_to exclusive)."""

    version_number: int
    email: str | None = Field(description=_PERSONAL)
    first_name: str | None = Field(description=_PERSONAL)
    last_name: str | None = Field(description=_PERSONAL)
    country: str | None
    region: str | None
    city: str | None = Field(description=_PERSONAL)
    segment: str | None
    signup_date: date | None
    valid_from: datetime | None = Field(description="null for an inferred member")
    valid_to: datetime | None = Field(description="null while current")
    is_current: bool
    is_inferred: bool = Field(description="Known only from facts so far (Kimball)")


class Customer(BaseModel):
    customer_id: str
    segment: str | None = Field(description="Current loyalty segment")
    country: str | None
    total_revenue: Money
    orders: int = Field(ge=0)
    units: int = Field(ge=0)
    aov: Money
    first_order_date: date | None
    last_order_date: date | None
    frequency: int | None = Field(description="BG/NBD: distinct purchase days - 1")
    recency: int | None = Field(description="BG/NBD: days from first to last purchase day")
    T: int | None = Field(description="BG/NBD: days from first purchase to the last date")
    days_since_last_order: int | None
    as_of: date | None = Field(description="The last date in the warehouse")
    r_score: int | None = Field(ge=1, le=5)
    f_score: int | None = Field(ge=1, le=5)
    m_score: int | None = Field(ge=1, le=5)
    rfm_segment: str
    churn_score: float | None = Field(description="Days since last order / usual gap")
    churn_risk: Literal["low", "medium", "high"] | None
    personal_data: bool = Field(
        description="Whether the history carries e-mail, names and city (customers:read)")
    history: list[CustomerVersion]


class SegmentFigures(BaseModel):
    name: str
    customers: int = Field(ge=0)
    buyers: int = Field(ge=0, description="Customers with at least one order")
    revenue: Money = Field(description="Lifetime revenue of these customers")
    revenue_share: Rate


class Segments(BaseModel):
    as_of: date | None
    customers: int
    by_segment: list[SegmentFigures] = Field(description="Per loyalty segment (current)")
    by_rfm_segment: list[SegmentFigures] = Field(description="Per RFM segment")
    by_churn_risk: list[SegmentFigures]


class CohortCell(BaseModel):
    months_since_first: int = Field(ge=0)
    activity_month: date
    customers: int = Field(ge=0, description="Cohort customers who ordered that month")
    orders: int = Field(ge=0)
    revenue: Money
    retention_rate: Rate


class Cohort(BaseModel):
    cohort: date = Field(description="First day of the month of the first order")
    customers: int = Field(ge=0)
    cells: list[CohortCell]


class Cohorts(BaseModel):
    grain: Literal["month"]
    cohorts: list[Cohort]
