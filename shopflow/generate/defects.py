"""Choosing defective records, and logging each one for the ground truth."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from types import TracebackType

from shopflow.generate.defect_catalogue import CATALOGUE, DefectKind, Record

# Reference data comes in small numbers (a few campaigns a month, a few product
# changes a day): a higher rate there still shows their defects in a short run.
_REFERENCE_ENTITIES = frozenset({"campaigns", "products", "customers"})
_REFERENCE_BOOST = 5.0
_MAX_RATE = 0.5


class DefectInjector:
    """Decides which records are defective and makes them so, covering every kind.

    Each entity accumulates a jittered credit of `rate` per eligible record and
    spends one per defect, so the share is close to `rate` and small entities
    get their defects too. The least-used applicable kind goes first (ties in
    catalogue order), so a short run already shows each kind.
    """

    def __init__(self, rng: random.Random, rate: float) -> None:
        self._rng = rng
        self._rate = rate
        self._credit: dict[str, float] = {}
        self._used: Counter[str] = Counter()

    def inject(self, entity: str, record: Record) -> DefectKind | None:
        if self._rate <= 0 or not self._due(entity):
            return None
        candidates = [kind for kind in CATALOGUE[entity] if kind.applies(record)]
        kind = min(candidates, key=lambda k: self._used[f"{entity}.{k.name}"])
        self._used[f"{entity}.{kind.name}"] += 1
        if kind.mutate is not None:
            kind.mutate(record, self._rng)
        return kind

    def _due(self, entity: str) -> bool:
        rate = self._rate
        if entity in _REFERENCE_ENTITIES:
            rate = min(_MAX_RATE, rate * _REFERENCE_BOOST)
        credit = self._credit.get(entity)
        if credit is None:
            credit = self._rng.random()
        credit += rate * 2 * self._rng.random()
        due = credit >= 1.0
        self._credit[entity] = credit - 1.0 if due else credit
        return due


class DefectLog:
    """Streams one JSON line per defective record (so the truth stays small in memory)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = path.open("w", encoding="utf-8", newline="")
        self.by_code: Counter[str] = Counter()

    def record(self, *, batch_id: str, file: str, line: int, entity: str, kind: DefectKind,
               outcome: str) -> None:
        entry = {"batch_id": batch_id, "file": file, "line": line, "entity": entity,
                 "code": kind.code, "defect": kind.name, "outcome": outcome}
        self._handle.write(json.dumps(entry, sort_keys=True) + "\n")
        self.by_code[kind.code] += 1

    @property
    def total(self) -> int:
        return sum(self.by_code.values())

    def __enter__(self) -> DefectLog:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._handle.close()
