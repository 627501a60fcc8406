"""`shopflow batches [ID]`: each batch's status per stage, or one batch's files."""

from __future__ import annotations

import sys
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from shopflow.db.connect import connect
from shopflow.load.status import BatchDetail, BatchStatus, batch_detail, list_batches
from shopflow.runtime.settings import get_settings

# Piped output (no terminal to measure) gets room for every column instead of 80.
console = Console(width=None if sys.stdout.isatty() else 160)


def batches_command(
    batch_id: Annotated[str | None, typer.Argument(help="Show this batch's files.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many batches, newest first.")] = 50,
) -> None:
    """List batches with published / loaded / rejected counts and their furthest stage
    (ingest, validate, load, build: running, done or failed), or one batch's files."""
    try:
        with connect(get_settings().database_url) as conn:
            if batch_id is None:
                console.print(batches_table(list_batches(conn, limit)))
                return
            detail = batch_detail(conn, batch_id)
    except psycopg.OperationalError as exc:
        typer.echo(f"error: database unavailable: {exc}", err=True)
        raise typer.Exit(1) from None
    if detail is None:
        typer.echo(f"error: no batch {batch_id!r}", err=True)
        raise typer.Exit(1)
    console.print(batches_table([detail.batch]))
    console.print(files_table(detail))


def _count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def batches_table(batches: list[BatchStatus]) -> Table:
    table = Table(title="Batches")
    # Ids and stages whole even on an 80-column pipe; the counts give way first.
    widths = {"batch": max((len(b.batch_id) for b in batches), default=5),
              "stage": max((len(b.stage) for b in batches), default=5)}
    for column in ("batch", "business date", "files", "published", "loaded", "rejected",
                   "pending", "stage", "completions", "built"):
        table.add_column(column, justify="left" if column in widths else "right",
                         min_width=widths.get(column), no_wrap=column in widths)
    for b in batches:
        built = b.build_finished_at.strftime("%Y-%m-%d %H:%M") \
            if b.build_status == "succeeded" and b.build_finished_at else "-"
        table.add_row(b.batch_id, str(b.business_date or "-"), _count(b.files),
                      _count(b.records_published), _count(b.loaded), _count(b.rejected),
                      _count(b.pending), b.stage, _count(b.completions), built)
    return table


def files_table(detail: BatchDetail) -> Table:
    table = Table(title=f"Files of {detail.batch.batch_id}")
    for column in ("file", "entity", "status", "published", "loaded", "rejected", "note"):
        table.add_column(column, justify="right" if column in (
            "published", "loaded", "rejected") else "left")
    for f in detail.files:
        note = f"{f.code}: {f.reason}" if f.code else (f.reason or "")
        table.add_row(f.file_name, f.entity or "-", f.status, _count(f.records_published),
                      _count(f.loaded), _count(f.rejected), note)
    return table
