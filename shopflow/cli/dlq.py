"""`shopflow dlq list | show | export | replay`: the dead-letter tooling."""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from shopflow.db.connect import connect
from shopflow.dlq import (
    ExportFormatError,
    Identity,
    LetterFilter,
    ReplayReport,
    ReplayRequest,
    get_dead_letter,
    list_dead_letters,
    read_export,
    replay_from_export,
    replay_from_ledger,
    write_export,
)
from shopflow.dlq.export import export_object
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import get_settings

dlq_app = typer.Typer(no_args_is_help=True, help="Inspect, export and replay dead letters.")

Entity = Annotated[str | None, typer.Option(help="Only this entity.")]
Batch = Annotated[str | None, typer.Option("--batch", help="Only this batch id.")]
Codes = Annotated[list[str] | None, typer.Option("--code", help="Error code (repeatable).")]
Since = Annotated[str | None, typer.Option(help="Last failure at or after (ISO date/time).")]
Until = Annotated[str | None, typer.Option(help="Last failure before (ISO date/time).")]
Resolved = Annotated[bool, typer.Option(help="Also letters a replay resolved.")]
AsJson = Annotated[bool, typer.Option("--json", help="Machine-readable output.")]


def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO date or date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _filter(entity: str | None, batch: str | None, codes: list[str] | None, since: str | None,
            until: str | None, include_resolved: bool, limit: int | None) -> LetterFilter:
    return LetterFilter(entity=entity, batch_id=batch, codes=tuple(codes or ()),
                        since=_time(since), until=_time(until),
                        include_resolved=include_resolved, limit=limit)


def _db() -> Any:
    return connect(get_settings().database_url_for("api"), autocommit=True)


@dlq_app.command("list")
def list_command(entity: Entity = None, batch: Batch = None, code: Codes = None,
                 since: Since = None, until: Until = None, include_resolved: Resolved = False,
                 limit: Annotated[int, typer.Option(min=1)] = 100, as_json: AsJson = False) -> None:
    """List dead letters, oldest batch first."""
    with _db() as conn:
        letters = list_dead_letters(
            conn, _filter(entity, batch, code, since, until, include_resolved, limit))
    for letter in letters:
        if as_json:
            typer.echo(json.dumps(export_object(letter), ensure_ascii=False))
        else:
            first = letter.errors[0] if letter.errors else {}
            state = " resolved" if letter.resolved else ""
            typer.echo(f"{letter.identity}  {letter.entity}  {','.join(letter.codes)}  "
                       f"attempt={letter.attempt}{state}  {first.get('field') or '-'}: "
                       f"{first.get('message', '')}")
    if not as_json:
        typer.echo(f"{len(letters)} dead letter(s)", err=True)


@dlq_app.command("show")
def show_command(batch_id: str, source_file: str, line_number: int) -> None:
    """One dead letter with all its errors and its original record."""
    with _db() as conn:
        letter = get_dead_letter(conn, Identity(batch_id, source_file, line_number))
    if letter is None:
        typer.echo("no such dead letter", err=True)
        raise typer.Exit(1)
    body = export_object(letter)
    body.update(contract_version=letter.contract_version, replay_id=letter.replay_id,
                original=f"{letter.original_topic}[{letter.original_partition}]"
                         f"@{letter.original_offset}",
                dlq=f"{letter.dlq_topic}[{letter.dlq_partition}]@{letter.dlq_offset}")
    typer.echo(json.dumps(body, indent=2, ensure_ascii=False))


@dlq_app.command("export")
def export_command(out: Annotated[Path, typer.Option(help="JSONL file to write ('-': stdout).")],
                   entity: Entity = None, batch: Batch = None, code: Codes = None,
                   since: Since = None, until: Until = None, include_resolved: Resolved = False,
                   limit: Annotated[int | None, typer.Option(min=1)] = None) -> None:
    """Write the selected dead letters to a JSON Lines file you can edit and replay."""
    with _db() as conn:
        letters = list_dead_letters(
            conn, _filter(entity, batch, code, since, until, include_resolved, limit))
    if str(out) == "-":
        count = write_export(letters, sys.stdout)
    else:
        with open(out, "w", encoding="utf-8") as stream:
            count = write_export(letters, stream)
    typer.echo(f"exported {count} dead letter(s)", err=True)


@dlq_app.command("replay")
def replay_command(entity: Entity = None, batch: Batch = None, code: Codes = None,
                   since: Since = None, until: Until = None,
                   from_file: Annotated[Path | None, typer.Option(
                       exists=True, dir_okay=False, help="An (edited) export file.")] = None,
                   dry_run: Annotated[bool, typer.Option(help="Say what would happen.")] = False,
                   requested_by: Annotated[str | None, typer.Option(
                       help="Who asks (default: $USER).")] = None,
                   note: Annotated[str | None, typer.Option()] = None,
                   allow_key_change: Annotated[bool, typer.Option(
                       help="Let an edit change the record's natural key (it then becomes "
                            "a version of that other key).")] = False,
                   as_json: AsJson = False) -> None:
    """Re-submit dead letters through validation (from the ledger or an edited export)."""
    settings = get_settings()
    who = requested_by or os.environ.get("USER") or getpass.getuser()
    selection = _filter(entity, batch, code, since, until, False, None)
    producer = EventProducer(settings)
    try:
        with _db() as conn:
            if from_file is not None:
                request = ReplayRequest(who, "file", {"file": str(from_file)}, dry_run, note,
                                        allow_key_change)
                report = replay_from_export(settings, conn, producer, read_export(from_file),
                                            request)
            else:
                request = ReplayRequest(who, "dlq", selection.to_json(), dry_run, note)
                report = replay_from_ledger(settings, conn, producer, selection, request)
    except (ExportFormatError, UnicodeDecodeError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    _print_report(report, as_json)


def _print_report(report: ReplayReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_json()))
        return
    verb = "would resubmit" if report.dry_run else "resubmitted"
    head = "dry run: nothing was changed" if report.dry_run else f"replay {report.replay_id}"
    typer.echo(f"{head}\nselected {report.selected}, {verb} {len(report.resubmitted)}, "
               f"skipped {report.skipped_count}")
    for identity in report.resubmitted:
        typer.echo(f"  {verb}: {identity}")
    for reason, identities in sorted(report.skipped.items()):
        for identity in identities:
            typer.echo(f"  skipped ({reason}): {identity}")
