"""Response models of the run-history and freshness endpoints (ops.builds, checks)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from services.dashboard_api.paging import Page

CheckStatus = Literal["pass", "warn", "fail"]


class BuildScope(BaseModel):
    dates: int = Field(description="Business dates the build rebuilt")
    first_date: date | None
    last_date: date | None
    rows: dict[str, int] = Field(description="Keys in scope per kind (orders, events, ...)")


class BuildQuality(BaseModel):
    counts: dict[str, int] = Field(description="Checks per status (pass, warn, fail)")
    failed: list[str] = Field(description="Names of the checks that failed")
    warned: list[str] = Field(description="Names of the checks that warned")


class BuildRun(BaseModel):
    build_id: int
    trigger: str = Field(description="batch, manual, full_refresh, ...")
    batch_id: str | None
    status: Literal["running", "succeeded", "failed", "failed_quality"]
    started_at: datetime
    finished_at: datetime | None
    duration_seconds: float | None = Field(description="finished_at - started_at")
    scope: BuildScope
    quality: BuildQuality
    error: str | None = Field(description="Why a failed build failed")


class BuildList(Page):
    items: list[BuildRun]


class CheckResult(BaseModel):
    source: Literal["build", "monitor"] = Field(
        description="build: run inside a warehouse build; monitor: `shopflow monitor run`")
    run_id: int = Field(description="build_id (build) or monitor run id (monitor)")
    check_name: str
    status: CheckStatus
    observed: float | None
    threshold: float | None
    details: dict[str, Any]
    checked_at: datetime


class CheckHistory(Page):
    items: list[CheckResult]


class EntityFreshness(BaseModel):
    entity: str
    latest_business_date: date | None = Field(description="Newest business date received")
    arrived_at: datetime | None = Field(description="When that date first arrived")
    age_hours: float | None = Field(description="Hours since then")
    expected_hours: float = Field(description="SHOPFLOW_FRESHNESS_HOURS for the entity")
    stale: bool = Field(description="No new business date within expected_hours")


class FreshnessReport(BaseModel):
    status: Literal["fresh", "stale"]
    entities: list[EntityFreshness]


class MonitorRun(BaseModel):
    run_id: int | None = Field(description="The latest `shopflow monitor run` (null: none yet)")
    checked_at: datetime | None
    status: Literal["pass", "warn", "fail", "none"] = Field(description="Worst of the checks")
    checks: list[CheckResult]
