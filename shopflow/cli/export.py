"""`shopflow export`: write warehouse facts and marts as Parquet or CSV, by month."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from shopflow.db.connect import connect
from shopflow.export.run import Format, export_table
from shopflow.export.tables import TABLES, UnknownTable, chosen_tables
from shopflow.runtime.settings import get_settings

console = Console()


def export_command(
    fmt: Annotated[Format, typer.Option("--format", help="File format.")] = "parquet",
    table: Annotated[list[str] | None, typer.Option(
        "--table", help=f"A table to export (repeatable; default all): {', '.join(TABLES)}.")
    ] = None,
    since: Annotated[datetime | None, typer.Option(
        formats=["%Y-%m-%d"], help="Only rows dated on or after this day (YYYY-MM-DD).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder; each table in <out>/<table>/month=YYYY-MM/.")
                   ] = Path("data/export"),
) -> None:
    """Export facts and marts, partitioned by month (a month's earlier files are replaced)."""
    try:
        tables = chosen_tables(table or [])
    except UnknownTable as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    summary = Table(title=f"Exported to {out} ({fmt})")
    for column in ("table", "rows", "months"):
        summary.add_column(column, justify="right" if column == "rows" else "left")
    try:
        with connect(get_settings().database_url) as conn:
            for chosen in tables:
                done = export_table(conn, chosen, out, fmt, since.date() if since else None)
                months = f"{done.months[0]} .. {done.months[-1]}" if done.months else "-"
                summary.add_row(done.table, f"{done.rows:,}", months)
    except psycopg.OperationalError as exc:
        typer.echo(f"error: database unavailable: {str(exc).strip()}", err=True)
        raise typer.Exit(1) from None
    console.print(summary)
