"""`shopflow ingest DIR --wait`: a progress bar per batch until it is built, then its
figures and dead letters (read model: shopflow.load.status)."""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from shopflow.cli.batches import batches_table, console, files_table
from shopflow.load.status import BatchDetail, BatchStatus, batch_detail, batch_status

POLL_S = 1.0


def _describe(batch_id: str, status: BatchStatus | None) -> str:
    return f"{batch_id}: {status.stage if status else 'waiting for the ingestor'}"


def _poll(conn: psycopg.Connection, batch_ids: list[str]) -> dict[str, BatchStatus | None]:
    return {batch_id: batch_status(conn, batch_id) for batch_id in batch_ids}


def _show(progress: Progress, tasks: dict[str, TaskID],
          statuses: dict[str, BatchStatus | None]) -> None:
    for batch_id, status in statuses.items():
        total = status.records_published if status and status.records_published else None
        done = status.loaded + status.rejected if status else 0
        progress.update(tasks[batch_id], description=_describe(batch_id, status),
                        total=total, completed=done)


def follow(database_url: str, batch_ids: list[str], landing: Path,
           timeout: float) -> list[BatchDetail] | str:
    """The finished batches' details, or why waiting stopped (one line)."""
    deadline = time.monotonic() + timeout
    statuses: dict[str, BatchStatus | None] = dict.fromkeys(batch_ids)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with psycopg.connect(database_url, autocommit=True, connect_timeout=10) as conn, \
            Progress(*columns, console=console, transient=False) as progress:
        tasks = {b: progress.add_task(_describe(b, None), total=None) for b in batch_ids}
        while time.monotonic() < deadline:
            statuses = _poll(conn, batch_ids)
            _show(progress, tasks, statuses)
            if all(s is not None and s.finished for s in statuses.values()):
                details = [batch_detail(conn, b) for b in batch_ids]
                return [d for d in details if d is not None]
            time.sleep(POLL_S)
    unseen = [b for b, s in statuses.items() if s is None]
    if unseen:
        return (f"no ingestor picked up {', '.join(unseen)} from {landing} within "
                f"{timeout:.0f}s: is the ingestor running and watching that directory "
                "(SHOPFLOW_LANDING_DIR, or .env after `make demo`)?")
    late = ", ".join(f"{b} ({s.stage})" for b, s in statuses.items() if s and not s.finished)
    return f"not built within {timeout:.0f}s: {late}; see `shopflow batches`"


def report(details: list[BatchDetail]) -> bool:
    """Print each batch's figures, files and open dead letters; True when all built."""
    console.print(batches_table([d.batch for d in details]))
    for detail in details:
        console.print(files_table(detail))
        letters = detail.dead_letters_by_code
        if letters:
            codes = ", ".join(f"{code} {count:,}" for code, count in letters.items())
            console.print(f"{detail.batch.batch_id}: {sum(letters.values()):,} open dead "
                          f"letters ({codes}): shopflow dlq list --batch {detail.batch.batch_id}")
        else:
            console.print(f"{detail.batch.batch_id}: no open dead letters")
    return all(d.batch.stages[-1].status == "done" for d in details)
