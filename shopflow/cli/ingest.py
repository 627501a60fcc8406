"""`shopflow ingest DIR [--wait]`: submit batch directories to the ingestor's landing area."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import psycopg
import typer

from shopflow.cli.ingest_wait import follow, report
from shopflow.ingest.submit import SubmitError, submit
from shopflow.runtime.settings import get_settings


def ingest_command(
    directory: Annotated[Path, typer.Argument(
        exists=True, file_okay=False, help="A batch directory, or a directory of batches.")],
    wait: Annotated[bool, typer.Option(
        "--wait", help="Show progress until the batches are built, then their figures.")
    ] = False,
    timeout: Annotated[float, typer.Option(
        min=1, help="With --wait: give up after this many seconds.")] = 900,
) -> None:
    """Copy ready batches (directories with _SUCCESS) into the landing area; print their ids."""
    settings = get_settings()
    try:
        batch_ids = submit(directory, settings.landing_dir)
    except (SubmitError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for batch_id in batch_ids:
        typer.echo(batch_id)
    typer.echo(f"submitted to {settings.landing_dir.resolve()}", err=True)
    if not wait:
        return
    try:
        outcome = follow(settings.database_url, batch_ids, settings.landing_dir.resolve(),
                         timeout)
    except psycopg.OperationalError as exc:
        typer.echo(f"error: database unavailable: {str(exc).strip()}", err=True)
        raise typer.Exit(1) from None
    if isinstance(outcome, str):
        typer.echo(f"error: {outcome}", err=True)
        raise typer.Exit(1)
    if not report(outcome):
        raise typer.Exit(1)
