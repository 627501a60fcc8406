"""Runs one warehouse build: lock, scope, models, checks, ledger — in one transaction.

A build either commits completely (warehouse, marts, its ops.builds row and its
quality checks) or not at all; a failed build is then recorded on its own, with
the error, and the caller retries the event. Builds are serialized with a
transaction-level advisory lock, so two transformers never write at once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from shopflow.db.connect import connect
from shopflow.runtime.errors import ShopflowError
from shopflow.warehouse.models import build_plan, model_sql
from shopflow.warehouse.quality import CheckResult, run_checks, summarize

log = logging.getLogger(__name__)

# Any constant works; every writer of the warehouse takes this same lock.
BUILD_LOCK_KEY = 7_306_228_110_001

ModelHook = Callable[[str, psycopg.Connection], None]


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


def run_build(url: str, request: BuildRequest, *, fiscal_start_month: int = 1,
              after_model: ModelHook | None = None) -> BuildResult:
    """Build the warehouse for one batch (or everything); raise BuildFailed on error.

    ``after_model`` is called after each model inside the transaction (tests use it
    to fail a build midway).
    """
    started = time.monotonic()
    try:
        conn = connect(url)
    except psycopg.OperationalError as exc:
        raise BuildFailed(f"database unreachable: {exc}", None) from exc
    with conn:
        try:
            return _build(conn, request, fiscal_start_month, after_model, started)
        except Exception as exc:
            build_id = _record_failure(conn, request, exc, started)
            raise BuildFailed(f"warehouse build failed: {exc}", build_id) from exc


def _build(conn: psycopg.Connection, request: BuildRequest, fiscal_start_month: int,
           after_model: ModelHook | None, started: float) -> BuildResult:
    with conn.transaction():
        _configure(conn, request)
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (BUILD_LOCK_KEY,))
        previous = _previous_build(conn, request)
        if previous is not None:
            return previous
        build_id = _open_build(conn, request)
        _set_parameters(conn, build_id, request, fiscal_start_month)
        for name in build_plan(request.full_refresh):
            conn.execute(model_sql(name))
            if after_model is not None:
                after_model(name, conn)
        result = _close_build(conn, build_id, run_checks(conn, build_id), started)
    log.info("warehouse built", extra={"build_id": build_id, "status": result.status,
                                       "batch_id": request.batch_id,
                                       "seconds": result.seconds, "dates": len(result.dates)})
    return result


def _configure(conn: psycopg.Connection, request: BuildRequest) -> None:
    conn.execute("SET LOCAL TimeZone = 'UTC'")
    # JIT compiles for seconds on estimates of the unanalysed working tables.
    conn.execute("SET LOCAL jit = off")
    if request.full_refresh:
        conn.execute("SET LOCAL work_mem = '256MB'")
    else:
        # A daily build touches a small, cached fraction of each table: key lookups
        # must win over scans that grow with the history (the default assumes disks).
        conn.execute("SET LOCAL random_page_cost = 1.1")


def _close_build(conn: psycopg.Connection, build_id: int, checks: list[CheckResult],
                 started: float) -> BuildResult:
    status = "failed_quality" if any(c.status == "fail" for c in checks) else "succeeded"
    dates, stats = _scope_stats(conn)
    stats["checks"] = summarize(checks)
    seconds = round(time.monotonic() - started, 3)
    stats["seconds"] = seconds
    conn.execute(
        "UPDATE ops.builds SET status = %s, finished_at = clock_timestamp(), dates = %s,"
        " stats = %s WHERE build_id = %s",
        (status, dates, Jsonb(stats), build_id))
    return BuildResult(build_id, status, seconds, dates, stats)


def _previous_build(conn: psycopg.Connection, request: BuildRequest) -> BuildResult | None:
    if request.batch_id is None or request.sequence is None:
        return None
    row = conn.execute(
        "SELECT build_id, status, coalesce(dates, '{}'), stats FROM ops.builds"
        " WHERE batch_id = %s AND batch_sequence = %s"
        " AND status IN ('succeeded', 'failed_quality')"
        " ORDER BY build_id DESC LIMIT 1",
        (request.batch_id, request.sequence)).fetchone()
    if row is None:
        return None
    build_id, status, dates, stats = row
    return BuildResult(build_id, status, float(stats.get("seconds", 0.0)), list(dates), stats,
                       reused=True)


def _open_build(conn: psycopg.Connection, request: BuildRequest) -> int:
    row = conn.execute(
        "INSERT INTO ops.builds (trigger, batch_id, batch_sequence) VALUES (%s, %s, %s)"
        " RETURNING build_id",
        (_trigger(request), request.batch_id, request.sequence)).fetchone()
    assert row is not None
    return int(row[0])


def _set_parameters(conn: psycopg.Connection, build_id: int, request: BuildRequest,
                    fiscal_start_month: int) -> None:
    conn.execute(
        "CREATE TEMP TABLE _build (build_id bigint, batch_id text, full_refresh boolean,"
        " fiscal_start_month integer, hint_dates date[]) ON COMMIT DROP")
    conn.execute(
        "INSERT INTO _build VALUES (%s, %s, %s, %s, %s)",
        (build_id, request.batch_id, request.full_refresh, fiscal_start_month,
         list(request.dates)))


def _scope_stats(conn: psycopg.Connection) -> tuple[list[date], dict[str, Any]]:
    row = conn.execute(
        "SELECT coalesce((SELECT array_agg(d ORDER BY d) FROM _affected_dates), '{}'),"
        " (SELECT count(*) FROM _scope_orders), (SELECT count(*) FROM _scope_events),"
        " (SELECT count(*) FROM _scope_customers), (SELECT count(*) FROM _scope_products),"
        " (SELECT count(*) FROM _scope_inventory), (SELECT count(*) FROM _scope_reviews),"
        " (SELECT count(*) FROM _dim_changes), (SELECT count(*) FROM _visitor_windows)"
    ).fetchone()
    assert row is not None
    dates = list(row[0])
    keys = ("orders", "events", "customers", "products", "inventory_keys", "reviews",
            "dimension_changes", "visitors")
    stats: dict[str, Any] = {"scope": dict(zip(keys, row[1:], strict=True))}
    stats["dates"] = len(dates)
    stats["first_date"] = dates[0].isoformat() if dates else None
    stats["last_date"] = dates[-1].isoformat() if dates else None
    return dates, stats


def _trigger(request: BuildRequest) -> str:
    return "full_refresh" if request.full_refresh else request.trigger


def _record_failure(conn: psycopg.Connection, request: BuildRequest, exc: Exception,
                    started: float) -> int | None:
    """Record the failed build in its own transaction; the warehouse is untouched."""
    try:
        with conn.transaction():
            row = conn.execute(
                "INSERT INTO ops.builds (trigger, batch_id, batch_sequence, status,"
                " finished_at, error, stats) VALUES (%s, %s, %s, 'failed', clock_timestamp(),"
                " %s, %s) RETURNING build_id",
                (_trigger(request), request.batch_id, request.sequence,
                 f"{type(exc).__name__}: {exc}"[:4000],
                 Jsonb({"seconds": round(time.monotonic() - started, 3)}))).fetchone()
        return int(row[0]) if row else None
    except psycopg.Error:
        log.exception("could not record the failed build", extra={"batch_id": request.batch_id})
        return None
