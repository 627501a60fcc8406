"""`shopflow generate`: writes realistic sample batch directories and their ground truth."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from shopflow.generate import GenerationConfig, GenerationSummary, generate
from shopflow.generate.config import MAX_DEFECT_RATE

DEFAULT_OUT = Path("data/generated")


def _parse_start(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2026-01-01") from None


def generate_command(
    days: Annotated[int, typer.Option("--days", min=1,
                                      help="Business days (one batch each).")] = 30,
    start: Annotated[str, typer.Option("--start",
                                       help="First business date, YYYY-MM-DD.")] = "2026-01-01",
    orders_per_day: Annotated[int, typer.Option(
        "--orders-per-day", min=1, help="Base number of orders on an ordinary day.")] = 500,
    seed: Annotated[int, typer.Option("--seed",
                                      help="Same seed and arguments, same bytes.")] = 42,
    defect_rate: Annotated[float, typer.Option(
        "--defect-rate", min=0.0, max=MAX_DEFECT_RATE,
        help="Share of records made defective (0 = clean).")] = 0.02,
    out: Annotated[Path, typer.Option(
        "--out", help="Directory for the batch directories and truth.json.")] = DEFAULT_OUT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q",
                                        help="No progress bar or summary.")] = False,
) -> None:
    """Write one ready batch directory per business date, then <out>/truth.json."""
    config = GenerationConfig(days=days, start=_parse_start(start),
                              orders_per_day=orders_per_day, seed=seed,
                              defect_rate=defect_rate, out=out)
    console = Console(stderr=True)
    show_progress = not quiet and console.is_terminal
    try:
        with Progress(TextColumn("generating"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("days"), TimeElapsedColumn(), console=console,
                      disable=not show_progress, transient=True) as progress:
            task = progress.add_task("days", total=days)

            def advance(done: int, _total: int) -> None:
                progress.update(task, completed=done)

            summary = generate(config, advance)
    except FileExistsError as error:
        raise typer.BadParameter(str(error), param_hint="--out") from None
    if not quiet:
        _print_summary(Console(), summary)


def _print_summary(console: Console, summary: GenerationSummary) -> None:
    console.print(f"wrote {len(summary.batch_ids)} batches to {summary.out}: "
                  f"{summary.records:,} records, {summary.defective_records:,} defective, "
                  f"{summary.file_faults} file faults, "
                  f"{summary.bytes_written / 1_000_000:.1f} MB")
    console.print(f"ground truth: {summary.truth_path}")
