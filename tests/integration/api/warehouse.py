"""Test set-up: a database whose warehouse is built from generated data.

Reuses the transformer tests' helper (staging filled from `shopflow generate`
output, then one warehouse build per batch, as the transformer service does).
"""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from shopflow.db.connect import with_database
from shopflow.generate import GenerationConfig, generate
from shopflow.warehouse import BuildRequest, run_build
from tests.conftest import TEMPLATE_DB, TestDatabase, _admin_url
from tests.integration.transformer.staging_files import GeneratedRun, load_batch


@dataclass(frozen=True)
class LoadedWarehouse:
    database: TestDatabase  # shared by the read-only tests
    snapshot: TestDatabase  # an untouched copy, never connected to: clone it to write
    run: GeneratedRun


def generate_run(out: Path, days: int, orders_per_day: int, seed: int = 7,
                 start: date = date(2026, 3, 1)) -> GeneratedRun:
    generate(GenerationConfig(days=days, orders_per_day=orders_per_day, seed=seed,
                              defect_rate=0.02, start=start, out=out))
    return GeneratedRun(out)


def build_warehouse(database: TestDatabase, run: GeneratedRun) -> None:
    """Load all batches but the last and build them at once (a full refresh), then load
    the last one and build it incrementally, as the transformer service does."""
    dead = run.dead_letters()
    *earlier, last = run.batch_ids()
    with psycopg.connect(database.url) as conn:
        for batch_id in earlier:
            load_batch(conn, run, batch_id, dead)
    transformer = database.url_as("shopflow_transformer")
    run_build(transformer, BuildRequest(full_refresh=True, trigger="test"))
    with psycopg.connect(database.url) as conn:
        load_batch(conn, run, last, dead)
    run_build(transformer, BuildRequest(batch_id=last, sequence=1, trigger="test"))


@contextmanager
def scratch_database(template: str = TEMPLATE_DB) -> Iterator[TestDatabase]:
    """A database cloned from a template (no one may be connected to it while it is
    copied): by default the migrated, empty one."""
    admin = _admin_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield TestDatabase(name=name, url=with_database(admin, name))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def record_ledger(database: TestDatabase, run: GeneratedRun) -> int:
    """Write the loader's ledger for the run: ops.batches, ops.batch_files and one
    ops.dead_letters row per expected dead letter (with its original bytes), as the
    loader would after the pipeline. Returns the number of dead letters."""
    truth = run.truth
    letters = _dead_letter_rows(run)
    with psycopg.connect(database.url) as conn:
        for batch_id, batch in truth["batches"].items():
            _record_batch(conn, batch_id, batch)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO ops.dead_letters (batch_id, source_file, line_number, entity,"
                " codes, errors, contract_version, original_topic, original_partition,"
                " original_offset, dlq_topic, dlq_partition, dlq_offset, first_failed_at,"
                " last_failed_at, record_key, payload) VALUES (%s, %s, %s, %s, %s, %s, 1,"
                " %s, 0, %s, %s, 0, %s, now(), now(), NULL, %s)", letters)
    return len(letters)


def _record_batch(conn: psycopg.Connection, batch_id: str, batch: dict[str, Any]) -> None:
    files = batch["files"]
    published = {name: f for name, f in files.items() if f["outcome"] == "published"}
    conn.execute(
        "UPDATE ops.batches SET opened_at = now(), files_expected = %s, published_at = now(),"
        " records_published = %s, completed_at = now(), completions = 1 WHERE batch_id = %s",
        (len(files), sum(f["records"] for f in published.values()), batch_id))
    for name, stats in files.items():
        rejected = sum(stats["dead_letters"].values())
        is_published = stats["outcome"] == "published"
        conn.execute(
            "INSERT INTO ops.batch_files (batch_id, file_name, entity, status,"
            " records_published, loaded, rejected, code, reason)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (batch_id, name, stats["entity"],
             "published" if is_published else ("skipped" if stats["duplicate_of"]
                                               else "quarantined"),
             stats["records"] if is_published else None,
             stats["records"] - rejected if is_published else 0,
             rejected if is_published else 0,
             None if is_published else stats["outcome"], stats["duplicate_of"]))


def _dead_letter_rows(run: GeneratedRun) -> list[tuple[Any, ...]]:
    rows = []
    with (run.out / "truth_defects.jsonl").open(encoding="utf-8") as handle:
        for offset, line in enumerate(handle):
            entry = json.loads(line)
            if entry["outcome"] != "dead_letter":
                continue
            payload = _raw_record(run.out / entry["batch_id"] / entry["file"], entry["line"])
            errors = Jsonb([{"code": entry["code"], "field": None, "message": entry["defect"]}])
            rows.append((entry["batch_id"], entry["file"], entry["line"], entry["entity"],
                         [entry["code"]], errors, f"raw.{entry['entity']}", offset,
                         f"dlq.{entry['entity']}", offset, payload))
    return rows


def _raw_record(path: Path, line: int) -> bytes:
    """The record's bytes as the ingestor publishes them (JSON line, or CSV cells as JSON)."""
    if path.suffix == ".jsonl":
        with path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == line:
                    return raw.rstrip(b"\n")
        raise LookupError(f"{path}:{line}")
    with path.open(encoding="utf-8", errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        while True:
            start = reader.line_num + 1
            row = next(reader)
            if start == line:
                cells = dict(zip(header, row, strict=False))
                return json.dumps(cells, ensure_ascii=False).encode("utf-8", "surrogateescape")
