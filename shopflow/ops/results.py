"""One result of a check on a clock, as stored in ops.monitor_checks."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class CheckOutcome:
    check_name: str
    status: str  # pass | warn | fail
    observed: Decimal | None
    threshold: Decimal | None
    details: dict[str, Any]
