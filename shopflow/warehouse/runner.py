"""Runs one warehouse build: the dbt core (tag `core`) in one transaction, with its ledger.

A build either commits completely (warehouse, marts, its ops.builds row and its quality
checks) or not at all; a failed build is then recorded on its own, with the error, and
the caller retries the event. Builds are serialized with a session-level advisory lock
taken on the runner's own connection, so two transformers never write at once; dbt runs
in-process on ONE other connection in ONE transaction (docs/decisions/0057).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from typing import Any

import psycopg

from shopflow.db.connect import connect
from shopflow.warehouse import build_ledger as ledger
from shopflow.warehouse.dbt_project import DbtProject, DbtRun
from shopflow.warehouse.quality import quality_results, record_checks, summarize
from shopflow.warehouse.request import BuildFailed, BuildRequest, BuildResult

log = logging.getLogger(__name__)

# Any constant works; every writer of the warehouse takes this same lock.
BUILD_LOCK_KEY = 7_306_228_110_001
CORE_SELECTOR = ("--select", "tag:core")
# Per build, dbt's debug log file and JSON artifacts cost more than most models' SQL; the
# results come back in-process, and `shopflow dbt` writes the artifacts when asked.
CORE_QUIET = ("--log-level-file", "none", "--no-write-json")

ModelHook = Callable[[str, psycopg.Connection], None]

_projects: dict[str, DbtProject] = {}
_projects_lock = threading.Lock()

__all__ = ["BUILD_LOCK_KEY", "BuildFailed", "BuildRequest", "BuildResult", "run_build"]


def core_project(url: str) -> DbtProject:
    """The dbt project for this database, parsed once per process."""
    with _projects_lock:
        if url not in _projects:
            _projects[url] = DbtProject(url, isolate_custom_models=True)
        return _projects[url]


def run_build(url: str, request: BuildRequest, *, fiscal_start_month: int = 1,
              after_model: ModelHook | None = None,
              project: DbtProject | None = None) -> BuildResult:
    """Build the warehouse for one batch (or everything); raise BuildFailed on error.

    ``after_model`` is called with each model's name after it ran (tests use it to fail
    a build midway: the whole transaction is then rolled back). ``project``: another dbt
    project than this process's core_project(url) (tests use a copy).
    """
    started = time.monotonic()
    try:
        conn = connect(url, autocommit=True)
    except psycopg.OperationalError as exc:
        raise BuildFailed(f"database unreachable: {exc}", None) from exc
    with conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK_KEY,))
        try:
            previous = ledger.previous_build(conn, request)
            if previous is not None:
                return previous
            build_id = ledger.reserve_build_id(conn)
            try:
                return _build(project or core_project(url), conn, build_id, request,
                              fiscal_start_month, after_model, started)
            except Exception as exc:
                ledger.record_failure(conn, build_id, request, exc, started)
                raise BuildFailed(f"warehouse build failed: {exc}", build_id) from exc
        finally:
            with suppress(psycopg.Error):
                conn.execute("SELECT pg_advisory_unlock(%s)", (BUILD_LOCK_KEY,))


def build_vars(build_id: int, request: BuildRequest, fiscal_start_month: int) -> dict[str, Any]:
    """The dbt vars of one build (warehouse/dbt_project.yml)."""
    return {"build_id": build_id, "batch_id": request.batch_id,
            "full_refresh": request.full_refresh,
            "hint_dates": [d.isoformat() for d in request.dates],
            "fiscal_start_month": fiscal_start_month, "one_transaction": True}


def _build(project: DbtProject, conn: psycopg.Connection, build_id: int,
           request: BuildRequest,
           fiscal_start_month: int, after_model: ModelHook | None,
           started: float) -> BuildResult:
    hook_errors: list[Exception] = []
    sql_seconds = [0.0]
    callbacks = [_sql_timer(sql_seconds)]
    if after_model is not None:
        callbacks.append(_model_hook(after_model, conn, hook_errors))
    command = ["build", *CORE_SELECTOR, *CORE_QUIET,
               "--vars", json.dumps(build_vars(build_id, request, fiscal_start_month))]
    run = project.invoke(command, callbacks=callbacks, in_one_transaction=True)
    assert run.kept is not None
    try:
        if hook_errors:
            raise hook_errors[0]
        _raise_on_errors(run)
        with run.kept.handle.cursor() as cursor:
            result = _close_build(cursor, build_id, request, run, started, sql_seconds[0])
    except BaseException:
        run.kept.finish(commit=False)
        raise
    run.kept.finish(commit=True)
    log.info("warehouse built", extra={"build_id": build_id, "status": result.status,
                                       "batch_id": request.batch_id,
                                       "seconds": result.seconds, "dates": len(result.dates)})
    return result


def _model_hook(after_model: ModelHook, conn: psycopg.Connection,
                errors: list[Exception]) -> Callable[[Any], None]:
    def on_event(msg: Any) -> None:
        if msg.info.name != "NodeFinished" or errors:
            return
        node = msg.data.node_info
        if node.resource_type == "model":
            try:
                after_model(node.node_name, conn)
            except Exception as exc:  # the build fails; dbt must not swallow it
                errors.append(exc)
    return on_event


def _sql_timer(total: list[float]) -> Callable[[Any], None]:
    """Adds up the time the database spent on dbt's statements (SQLQueryStatus.elapsed)."""
    def on_event(msg: Any) -> None:
        if msg.info.name == "SQLQueryStatus":
            total[0] += float(msg.data.elapsed)
    return on_event


def _raise_on_errors(run: DbtRun) -> None:
    errors = [f"{r.node.name}: {r.message}" for r in run.results
              if str(r.status) in ("error", "runtime error", "skipped")]
    if errors or not run.success:
        raise RuntimeError("; ".join(errors) or f"dbt {run.command} did not succeed")


def _close_build(cursor: Any, build_id: int, request: BuildRequest, run: DbtRun,
                 started: float, sql_seconds: float) -> BuildResult:
    checks = quality_results(run.results)
    status = "failed_quality" if any(c.status == "fail" for c in checks) else "succeeded"
    dates, stats = ledger.scope_stats(cursor)
    stats["checks"] = summarize(checks)
    stats["session"] = ledger.session_settings(cursor)
    seconds = round(time.monotonic() - started, 3)
    stats["seconds"] = seconds
    stats["dbt"] = {**_dbt_timing(run), "sql_seconds": round(sql_seconds, 3)}
    ledger.insert_finished(cursor, build_id, request, status, dates, stats)
    record_checks(cursor, build_id, checks)
    if request.full_refresh:
        ledger.empty_working_tables(cursor)
    return BuildResult(build_id, status, seconds, dates, stats)


def _dbt_timing(run: DbtRun) -> dict[str, Any]:
    """dbt's invocation time against its nodes' time: compile (Jinja) and execute (the
    materialization: its SQL and dbt's calls around it), and the slowest nodes."""
    phases = {"compile": 0.0, "execute": 0.0}
    for result in run.results:
        for timing in result.timing or []:
            if timing.name in phases and timing.started_at and timing.completed_at:
                phases[timing.name] += (timing.completed_at - timing.started_at).total_seconds()
    slowest = sorted(run.node_seconds.items(), key=lambda item: -item[1])[:5]
    return {"invocation_seconds": run.seconds, "nodes": len(run.node_seconds),
            "nodes_seconds": round(sum(run.node_seconds.values()), 3),
            "compile_seconds": round(phases["compile"], 3),
            "execute_seconds": round(phases["execute"], 3),
            "slowest": {name.split(".")[-1]: seconds for name, seconds in slowest}}
