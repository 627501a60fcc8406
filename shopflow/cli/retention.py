"""`shopflow retention run [--dry-run]` and `shopflow monitor run`: the operations jobs
meant for a schedule (cron lines in docs/operations.md)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from shopflow.ops.monitor import run_monitor
from shopflow.ops.retention import run_retention
from shopflow.runtime.settings import get_settings

retention_app = typer.Typer(no_args_is_help=True, help="Purge what no build needs any more.")
monitor_app = typer.Typer(no_args_is_help=True,
                          help="Checks on a clock: freshness, outliers, volume.")


@retention_app.command("run")
def retention_run(
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Count what would go; change nothing.")] = False,
    skip_topics: Annotated[bool, typer.Option(
        "--skip-topics", help="Leave the topics' retention.ms alone.")] = False,
) -> None:
    """Superseded staging versions, payloads of resolved dead letters, landing/.processed
    (ages: SHOPFLOW_RETENTION_*), and each topic kind's retention.ms. Prints a JSON
    report (also kept in ops.retention_runs)."""
    report = run_retention(get_settings(), dry_run=dry_run, topics=not skip_topics)
    typer.echo(json.dumps(report.as_dict(), indent=2))


@monitor_app.command("run")
def monitor_run() -> None:
    """Run the freshness, outlier and volume checks once and store them
    (ops.monitor_checks). Exit 3 when any check warns or fails."""
    run_id, outcomes = run_monitor(get_settings())
    for outcome in outcomes:
        typer.echo(json.dumps({"run_id": run_id, "check": outcome.check_name,
                               "status": outcome.status,
                               "observed": None if outcome.observed is None
                               else float(outcome.observed),
                               "keys": outcome.details.get("keys", [])[:10]}))
    if any(o.status != "pass" for o in outcomes):
        raise typer.Exit(3)
