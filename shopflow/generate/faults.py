"""File-level faults: a schema-drifted file, and a file delivered a second time.

Both are planned per 15-day window (at least one of each in a 30-day run) and
only when the defect rate is above zero.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from shopflow.generate.schema import DRIFT_RENAMES, file_name
from shopflow.generate.writer import PUBLISHED, BatchWriter, FileStats

_WINDOW_DAYS = 15
# Entities present in every batch (reviews from the first week on), so the
# planned drift always has a file to hit.
_ALWAYS_PRESENT = ("orders", "order_items", "inventory")


@dataclass(frozen=True)
class FaultPlan:
    drift: dict[int, str]
    redelivery_days: tuple[int, ...]


def plan_faults(rng: random.Random, days: int, defect_rate: float) -> FaultPlan:
    if defect_rate <= 0:
        return FaultPlan({}, ())
    drift: dict[int, str] = {}
    redelivery: list[int] = []
    for window_start in range(0, days, _WINDOW_DAYS):
        last = min(days, window_start + _WINDOW_DAYS) - 1
        if max(1, window_start) <= last:
            day = rng.randint(max(1, window_start), last)
            entities = tuple(DRIFT_RENAMES) if day >= 7 else _ALWAYS_PRESENT
            drift[day] = rng.choice(entities)
        if max(2, window_start) <= last:
            redelivery.append(rng.randint(max(2, window_start), last))
    return FaultPlan(drift, tuple(redelivery))


@dataclass(frozen=True)
class _Delivered:
    path: Path
    stats: FileStats
    label: str


class RedeliveryDesk:
    """Remembers the latest published file per entity, to deliver one again later.

    The copy goes into a batch that has no file of its own for that entity
    (one file per entity per batch); if none fits today, it waits for a day
    that does.
    """

    def __init__(self, rng: random.Random, plan: FaultPlan) -> None:
        self._rng = rng
        self._plan = plan
        self._latest: dict[str, _Delivered] = {}
        self._owed = 0

    def redeliver(self, day_index: int, writer: BatchWriter) -> str | None:
        if day_index in self._plan.redelivery_days:
            self._owed += 1
        if not self._owed:
            return None
        candidates = [entity for entity in sorted(self._latest) if not writer.has_file(entity)]
        if not candidates:
            return None
        entity = self._rng.choice(candidates)
        earlier = self._latest[entity]
        writer.copy_file(entity, earlier.path, earlier.stats, earlier.label)
        self._owed -= 1
        return entity

    def remember(self, writer: BatchWriter) -> None:
        for name, stats in writer.stats.items():
            if stats.outcome == PUBLISHED:
                self._latest[stats.entity] = _Delivered(
                    writer.directory / name, stats, f"{writer.batch_id}/{file_name(stats.entity)}")
