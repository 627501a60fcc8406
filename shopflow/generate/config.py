"""What a generation run is asked to do, and what it reports back."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

# Every status change of an order (and its review) happens within this many days
# of the order, so older orders can be forgotten: memory stays flat.
STATUS_HORIZON_DAYS = 14
MAX_DEFECT_RATE = 0.5


@dataclass(frozen=True)
class GenerationConfig:
    days: int = 30
    start: date = date(2026, 1, 1)
    orders_per_day: int = 500
    seed: int = 42
    defect_rate: float = 0.02
    out: Path = Path("data/generated")

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("days must be at least 1")
        if self.orders_per_day < 1:
            raise ValueError("orders_per_day must be at least 1")
        if not 0.0 <= self.defect_rate <= MAX_DEFECT_RATE:
            raise ValueError(f"defect_rate must be between 0 and {MAX_DEFECT_RATE}")

    def business_date(self, day_index: int) -> date:
        return self.start + timedelta(days=day_index)

    def as_arguments(self) -> dict[str, object]:
        """The arguments that shape the data (not `out`, so copies compare equal)."""
        return {
            "days": self.days,
            "start": self.start.isoformat(),
            "orders_per_day": self.orders_per_day,
            "seed": self.seed,
            "defect_rate": self.defect_rate,
        }


@dataclass(frozen=True)
class GenerationSummary:
    out: Path
    truth_path: Path
    batch_ids: tuple[str, ...]
    records: int
    defective_records: int
    file_faults: int
    bytes_written: int
    records_by_entity: dict[str, int] = field(default_factory=dict)


def batch_id_for(business_date: date) -> str:
    return f"batch-{business_date.isoformat()}"


def day_start(business_date: date) -> datetime:
    return datetime.combine(business_date, time(0, 0), tzinfo=UTC)


def rng_stream(seed: int, purpose: str) -> random.Random:
    """An independent, reproducible random stream per purpose.

    A string seed is hashed with SHA-512 by `random`, so it does not depend on
    PYTHONHASHSEED; separate streams keep the data identical whatever the
    defect rate is.
    """
    return random.Random(f"shopflow-generate:{seed}:{purpose}")
