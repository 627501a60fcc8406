"""`shopflow ingest DIR`: submit batch directories to the ingestor's landing area."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shopflow.ingest.submit import SubmitError, submit
from shopflow.runtime.settings import get_settings


def ingest_command(
    directory: Annotated[Path, typer.Argument(
        exists=True, file_okay=False, help="A batch directory, or a directory of batches.")],
) -> None:
    """Copy ready batches (directories with _SUCCESS) into the landing area; print their ids."""
    try:
        batch_ids = submit(directory, get_settings().landing_dir)
    except (SubmitError, OSError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for batch_id in batch_ids:
        typer.echo(batch_id)
