"""Response and request models of the pipeline endpoints (ops.*)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from contracts import ErrorCode
from services.dashboard_api.paging import Page

# tests/integration/api checks this equals contracts.ENTITIES.
EntityName = Literal["customers", "products", "orders", "order_items", "clickstream",
                     "inventory", "campaigns", "reviews"]
StageStatus = Literal["pending", "running", "done", "failed"]


class Stage(BaseModel):
    name: Literal["ingest", "validate", "load", "build"]
    status: StageStatus
    detail: str | None = None


class BatchCounts(BaseModel):
    published: int | None = Field(description="Records the ingestor published")
    valid: int = Field(description="Records that passed validation (and were loaded)")
    rejected: int = Field(description="Records dead-lettered (not yet replayed to success)")
    loaded: int = Field(description="Records in staging")
    open_dead_letters: int = Field(description="Unresolved dead letters of the batch")
    files: int
    files_quarantined: int


class BuildRef(BaseModel):
    build_id: int
    status: str
    started_at: datetime
    finished_at: datetime | None


class Batch(BaseModel):
    batch_id: str
    business_date: date | None
    opened_at: datetime | None
    published_at: datetime | None
    completed_at: datetime | None
    completions: int
    counts: BatchCounts
    stages: list[Stage]
    latest_build: BuildRef | None


class BatchList(Page):
    items: list[Batch]


class BatchFile(BaseModel):
    file_name: str
    entity: str | None
    status: str
    records_published: int | None
    loaded: int
    rejected: int
    code: str | None = Field(description="Why a file was quarantined or skipped")
    reason: str | None


class BatchDetail(Batch):
    files: list[BatchFile]
    dead_letters_by_code: dict[str, int]


class DeadLetterOut(BaseModel):
    batch_id: str
    source_file: str
    line_number: int
    entity: str
    codes: list[str]
    errors: list[dict[str, Any]] = Field(description="code, field and message per error")
    contract_version: int | None
    attempt: int
    first_failed_at: datetime
    last_failed_at: datetime
    resolved_at: datetime | None
    replay_id: str | None
    original_topic: str | None
    original_partition: int | None
    original_offset: int | None
    key: str | None = Field(description="The original record key (UTF-8, invalid bytes replaced)")
    payload: str | None = Field(description="The original record bytes as text")
    payload_json: Any | None = Field(description="The payload parsed, when it is JSON")


class DeadLetterList(Page):
    items: list[DeadLetterOut]


class CodeCount(BaseModel):
    code: str
    entity: str
    letters: int


class DeadLetterSummary(BaseModel):
    open_letters: int
    by_code: list[CodeCount]


class LetterId(BaseModel):
    batch_id: str = Field(min_length=1, max_length=200)
    source_file: str = Field(min_length=1, max_length=200)
    line_number: int = Field(ge=1, le=2**31 - 1)


class ReplayIn(BaseModel):
    """Which dead letters to replay: explicit ids, or a filter (at least one criterion)."""

    model_config = {"extra": "forbid"}

    letters: list[LetterId] | None = Field(None, max_length=10_000)
    entity: EntityName | None = None
    batch_id: str | None = Field(None, min_length=1, max_length=200)
    error_codes: list[ErrorCode] | None = Field(None, max_length=20)
    limit: int = Field(1000, ge=1, le=10_000, description="At most this many (filter)")
    dry_run: bool = Field(False, description="Only say what would happen")
    note: str | None = Field(None, max_length=500)


class ReplayOut(BaseModel):
    replay_id: str | None
    dry_run: bool
    selected: int
    resubmitted: list[str] = Field(description="batch/file:line of each letter re-sent")
    skipped: dict[str, list[str]] = Field(description="Letters not re-sent, by reason")


class QualityCheck(BaseModel):
    check_name: str
    status: Literal["pass", "warn", "fail"]
    observed: float | None
    threshold: float | None
    details: dict[str, Any]
    checked_at: datetime


class Quality(BaseModel):
    build: BuildRef | None = Field(description="The latest build with checks (null: none)")
    status: Literal["pass", "warn", "fail", "none"]
    counts: dict[str, int]
    checks: list[QualityCheck]


class WarehouseInfo(BaseModel):
    first_date: date | None
    last_date: date | None
    latest_build: BuildRef | None
    batches: int
    open_dead_letters: int


class DependencyHealth(BaseModel):
    ok: bool
    detail: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    checks: dict[str, DependencyHealth]
