"""What a warehouse build is asked to do, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shopflow.runtime.errors import ShopflowError


@dataclass(frozen=True)
class BuildRequest:
    batch_id: str | None = None
    sequence: int | None = None  # BatchCompleted.sequence: (batch_id, sequence) builds once
    full_refresh: bool = False
    dates: tuple[date, ...] = ()  # extra dates to rebuild (BatchCompleted.dates)
    trigger: str = "manual"

    def __post_init__(self) -> None:
        if not self.full_refresh and not self.batch_id:
            raise ValueError("a build needs a batch id or full_refresh")


@dataclass(frozen=True)
class BuildResult:
    build_id: int
    status: str  # succeeded | failed_quality
    seconds: float
    dates: list[date]
    stats: dict[str, Any] = field(default_factory=dict)
    reused: bool = False  # this (batch, sequence) was built before; nothing was done


class BuildFailed(ShopflowError):
    def __init__(self, message: str, build_id: int | None) -> None:
        super().__init__(message)
        self.build_id = build_id
