"""Test set-up: fill staging straight from generated batch directories.

Reads `shopflow generate` output, leaves out what the pipeline would never load
(records truth_defects.jsonl lists as dead letters, quarantined and re-delivered
files), validates the rest with the contracts (so values are canonical, as the
loader writes them) and COPYs them into staging with their provenance, as the
owner role. The real path (ingestor -> validator -> loader) is tested elsewhere.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg

import contracts

_PROVENANCE = ("batch_id", "source_file", "line_number")
_ITEM_PROVENANCE = ("batch_id", "source_file", "source_line")


@dataclass(frozen=True)
class GeneratedRun:
    out: Path

    @property
    def truth(self) -> dict[str, Any]:
        return json.loads((self.out / "truth.json").read_text(encoding="utf-8"))

    def batch_ids(self) -> list[str]:
        return sorted(p.name for p in self.out.iterdir()
                      if p.is_dir() and p.name.startswith("batch-"))

    def dead_letters(self) -> set[tuple[str, str, int]]:
        found = set()
        with (self.out / "truth_defects.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                entry = json.loads(line)
                if entry["outcome"] == "dead_letter":
                    found.add((entry["batch_id"], entry["file"], entry["line"]))
        return found

    def unpublished_files(self) -> set[tuple[str, str]]:
        return {(f["batch_id"], f["file"]) for f in self.truth["file_faults"]}


def read_records(path: Path, skip: set[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(starting physical line, record) for each record of a batch file not in ``skip``."""
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        if path.suffix == ".jsonl":
            for number, text in enumerate(handle, start=1):
                if number not in skip:
                    yield number, json.loads(text)
            return
        reader = csv.reader(handle)
        header = next(reader)
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            if start not in skip:
                yield start, dict(zip(header, row, strict=True))


def load_batch(conn: psycopg.Connection, run: GeneratedRun, batch_id: str,
               skip: set[tuple[str, str, int]] | None = None) -> dict[str, int]:
    """COPY one batch's loadable records into staging; returns rows per entity."""
    directory = run.out / batch_id
    manifest = json.loads((directory / "_SUCCESS").read_text(encoding="utf-8") or "{}")
    register_batch(conn, batch_id, date.fromisoformat(manifest["business_date"]))
    dead = run.dead_letters() if skip is None else skip
    unpublished = run.unpublished_files()
    loaded = {}
    for path in sorted(directory.glob("*.*")):
        if (batch_id, path.name) in unpublished:
            continue
        lines = {n for (batch, name, n) in dead if (batch, name) == (batch_id, path.name)}
        rows = list(read_records(path, lines))
        loaded[path.stem] = copy_rows(conn, path.stem, batch_id, path.name, rows)
    return loaded


def register_batch(conn: psycopg.Connection, batch_id: str, business_date: date) -> None:
    conn.execute(
        "INSERT INTO ops.batches (batch_id, business_date) VALUES (%s, %s)"
        " ON CONFLICT (batch_id) DO NOTHING", (batch_id, business_date))


def copy_rows(conn: psycopg.Connection, entity: str, batch_id: str, source_file: str,
              rows: list[tuple[int, dict[str, Any]]]) -> int:
    """Validate and COPY records of one file (line numbers as provenance)."""
    names = list(contracts.fields(entity))
    provenance = _ITEM_PROVENANCE if entity == "order_items" else _PROVENANCE
    columns = ", ".join([*names, *provenance])
    with conn.cursor() as cur, cur.copy(f"COPY staging.{entity} ({columns}) FROM STDIN") as copy:
        for line, record in rows:
            outcome = contracts.validate_record(entity, record)
            assert outcome.ok and outcome.model is not None, (
                f"{batch_id}/{source_file}:{line} invalid: {outcome.errors}")
            values = contracts.canonical(outcome.model)
            copy.write_row([*(values.get(name) for name in names), batch_id, source_file, line])
    return len(rows)


def insert_rows(conn: psycopg.Connection, entity: str, batch_id: str,
                records: list[dict[str, Any]], source_file: str | None = None,
                first_line: int = 2) -> None:
    """Hand-made staging rows for scenario tests (validated like generated ones)."""
    file_name = source_file or (f"{entity}.jsonl" if entity == "clickstream" else f"{entity}.csv")
    copy_rows(conn, entity, batch_id, file_name,
              list(enumerate(records, start=first_line)))
