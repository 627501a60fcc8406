"""How values are written: ISO 8601 timestamps in a realistic mix, money as text."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Offsets a few sources use when they write local time; the instant is the same.
_LOCAL_OFFSETS = (timezone(timedelta(hours=1)), timezone(timedelta(hours=2)),
                  timezone(timedelta(hours=-5)))


def money(amount: Decimal) -> str:
    return str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class TimestampFormatter:
    """Writes one UTC instant the way a mixed set of source systems would."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def __call__(self, instant: datetime) -> str:
        # The generator's instants are UTC with whole seconds; isoformat is the fast path.
        text = instant.isoformat()
        draw = self._rng.random()
        if draw < 0.80:
            return text[:-6] + "Z"
        if draw < 0.92:
            return text
        if draw < 0.96:
            return text[:-6]
        return instant.astimezone(self._rng.choice(_LOCAL_OFFSETS)).isoformat()
