"""Types shared by the response models: money as decimal text, rates, date ranges."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import BaseModel, Field

from services.dashboard_api.params import DateRange

MONEY_PATTERN = r"^-?\d+\.\d{2}$"
Money = Annotated[str, Field(pattern=MONEY_PATTERN, examples=["1234.50"],
                             description="Amount as a decimal string with 2 places")]
Rate = Annotated[float, Field(ge=0, description="A ratio rounded to 4 places (0.25 = 25 %)")]
_CENT = Decimal("0.01")


def money(value: Decimal | int | float | None) -> str:
    """'1234.50': exact decimal text with two places (half up); None counts as 0."""
    amount = Decimal(str(value)) if value is not None else Decimal(0)
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return f"{rounded + 0:.2f}"  # + 0 turns -0.00 into 0.00


def ratio(part: Decimal | int | float | None, whole: Decimal | int | float | None) -> float:
    if not whole or part is None:
        return 0.0
    return round(float(Decimal(str(part)) / Decimal(str(whole))), 4)


def money_ratio(part: Decimal | int | None, whole: Decimal | int | None) -> str:
    """An average amount (revenue per order), as money."""
    if not whole or part is None:
        return money(0)
    return money(Decimal(str(part)) / Decimal(str(whole)))


class Range(BaseModel):
    start: date = Field(description="First day, inclusive (UTC)")
    end: date = Field(description="Last day, inclusive (UTC)")
    days: int = Field(ge=1)

    @classmethod
    def of(cls, chosen: DateRange) -> Range:
        return cls(start=chosen.start, end=chosen.end, days=chosen.days)
