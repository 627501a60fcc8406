"""ops.builds rows of the core build: reuse, reservation, the finished row, failures;
the working tables the ledger reads its scope from."""

from __future__ import annotations

import json
import logging
import time
from datetime import date
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from shopflow.warehouse.request import BuildRequest, BuildResult

log = logging.getLogger(__name__)

# The schema of the working tables (dbt_project.yml: staging and intermediate).
WORKING_SCHEMA = "build"
# The working tables whose sizes describe a build's scope.
_SCOPE_SIZES = (("orders", "scope_orders"), ("events", "scope_events"),
                ("customers", "scope_customers"), ("products", "scope_products"),
                ("inventory_keys", "scope_inventory"), ("reviews", "scope_reviews"),
                ("dimension_changes", "dim_changes"), ("visitors", "visitor_windows"))


def trigger(request: BuildRequest) -> str:
    return "full_refresh" if request.full_refresh else request.trigger


def previous_build(conn: psycopg.Connection, request: BuildRequest) -> BuildResult | None:
    """The finished build of this (batch, sequence), if there is one."""
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


def reserve_build_id(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT nextval(pg_get_serial_sequence('ops.builds', 'build_id'))").fetchone()
    assert row is not None
    return int(row[0])


def scope_stats(cursor: Any) -> tuple[list[date], dict[str, Any]]:
    """The build's dates and scope sizes, read from its working tables (DB-API cursor)."""
    sizes = ", ".join(f"(SELECT count(*) FROM {WORKING_SCHEMA}.{table})"
                      for _, table in _SCOPE_SIZES)
    cursor.execute("SELECT coalesce((SELECT array_agg(d ORDER BY d)"
                   f" FROM {WORKING_SCHEMA}.affected_dates),"
                   f" '{{}}'::date[]), {sizes}")
    row = cursor.fetchone()
    dates = list(row[0])
    stats: dict[str, Any] = {"scope": dict(zip((k for k, _ in _SCOPE_SIZES), row[1:],
                                               strict=True))}
    stats["dates"] = len(dates)
    stats["first_date"] = dates[0].isoformat() if dates else None
    stats["last_date"] = dates[-1].isoformat() if dates else None
    return dates, stats


# The settings the core sets for its transaction (warehouse/macros/build_helpers.sql).
SESSION_SETTINGS = ("timezone", "jit", "work_mem", "random_page_cost",
                    "default_statistics_target")


def session_settings(cursor: Any) -> dict[str, str]:
    """The settings the build's transaction ran under, read before its commit."""
    cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')"
                                         for name in SESSION_SETTINGS))
    return dict(zip(SESSION_SETTINGS, cursor.fetchone(), strict=True))


def empty_working_tables(cursor: Any) -> None:
    """Empty every working table, at the end of a full refresh (docs/warehouse.md).

    A full refresh fills them with the whole history. The next build's TRUNCATE would give
    them new files and unlink the old ones at its COMMIT, seconds for gigabytes; emptied
    here, in the transaction that wrote them, they are truncated in place instead.
    """
    cursor.execute("SELECT string_agg(format('%I.%I', schemaname, tablename), ', ')"
                   f" FROM pg_tables WHERE schemaname = '{WORKING_SCHEMA}'")
    row = cursor.fetchone()
    if row and row[0]:
        cursor.execute(f"TRUNCATE {row[0]}")


def insert_finished(cursor: Any, build_id: int, request: BuildRequest, status: str,
                    dates: list[date], stats: dict[str, Any]) -> None:
    """The build's row, in the build's transaction (started_at = its start)."""
    cursor.execute(
        "INSERT INTO ops.builds (build_id, trigger, batch_id, batch_sequence, status,"
        " finished_at, dates, stats) VALUES (%s, %s, %s, %s, %s, clock_timestamp(),"
        " %s::date[], %s::jsonb)",
        (build_id, trigger(request), request.batch_id, request.sequence, status, dates,
         json.dumps(stats)))


def record_failure(conn: psycopg.Connection, build_id: int | None, request: BuildRequest,
                   exc: BaseException, started: float) -> int | None:
    """Record the failed build on its own (autocommit); the warehouse is untouched."""
    try:
        row = conn.execute(
            "INSERT INTO ops.builds (build_id, trigger, batch_id, batch_sequence, status,"
            " finished_at, error, stats) VALUES (coalesce(%s, nextval(pg_get_serial_sequence("
            "'ops.builds', 'build_id'))), %s, %s, %s, 'failed', clock_timestamp(), %s, %s)"
            " RETURNING build_id",
            (build_id, trigger(request), request.batch_id, request.sequence,
             f"{type(exc).__name__}: {exc}"[:4000],
             Jsonb({"seconds": round(time.monotonic() - started, 3)}))).fetchone()
        return int(row[0]) if row else None
    except psycopg.Error:
        log.exception("could not record the failed build", extra={"batch_id": request.batch_id})
        return None
