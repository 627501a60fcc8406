"""Response models of the sales & products pages: channels, product lists, one product."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from services.dashboard_api.paging import Page
from services.dashboard_api.schemas.common import Money, Range, Rate
from services.dashboard_api.schemas.sales import Grain, RankBy, SalesPoint


class ChannelFigures(BaseModel):
    channel: str = Field(description="The order's sales channel ('unknown' if not given)")
    revenue: Money
    orders: int = Field(ge=0)
    units: int = Field(ge=0)
    revenue_share: Rate = Field(description="Share of the filtered revenue")


class Channels(BaseModel):
    range: Range
    category: str | None
    items: list[ChannelFigures]


class ProductFigures(BaseModel):
    rank: int = Field(ge=1)
    product_id: str
    name: str | None
    category: str = Field(description="Category at order time (latest in the range)")
    revenue: Money
    units: int
    orders: int
    list_price: Money | None = Field(description="Current list price (null: inferred)")
    rating: float | None = Field(description="Average review rating, all time")


class ProductList(Page):
    range: Range
    category: str | None
    channel: str | None
    by: RankBy
    items: list[ProductFigures]


class ProductVersion(BaseModel):
    """One SCD2 version of the product (valid_from inclusive, valid_to exclusive)."""

    version_number: int
    name: str | None
    category: str | None
    subcategory: str | None
    brand: str | None
    list_price: Money | None
    unit_cost: Money | None
    valid_from: datetime | None = Field(description="null for an inferred member")
    valid_to: datetime | None = Field(description="null while current")
    is_current: bool
    is_inferred: bool


class RatingSummary(BaseModel):
    reviews: int = Field(ge=0)
    average: float | None = Field(description="Mean rating, 2 places (null: no reviews)")
    by_stars: dict[str, int] = Field(description="Reviews per rating '1'..'5'")


class ProductDetail(BaseModel):
    product_id: str
    sku: str | None
    name: str | None
    category: str | None
    subcategory: str | None
    brand: str | None
    list_price: Money | None
    unit_cost: Money | None
    is_inferred: bool
    ratings: RatingSummary
    history: list[ProductVersion] = Field(description="Every version, oldest first")


class ProductSales(BaseModel):
    product_id: str
    range: Range
    grain: Grain
    points: list[SalesPoint]


class Review(BaseModel):
    review_id: str
    order_id: str
    customer_id: str | None
    rating: int
    review_ts: datetime
    title: str | None
    body: str | None


class ReviewList(Page):
    product_id: str
    items: list[Review]
