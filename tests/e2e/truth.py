"""Compare what the running platform holds with the generator's ground truth."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tests.e2e.platform import Platform

STAGING_LINE_COLUMN = {"order_items": "source_line"}


def load_truth(out: Path) -> dict[str, Any]:
    return json.loads((out / "truth.json").read_text())


def expected_staging_rows(truth: dict[str, Any]) -> Counter[tuple[str, str]]:
    """(batch, file) → rows staging must hold: valid records plus exact-duplicate lines."""
    expected: Counter[tuple[str, str]] = Counter()
    for batch_id, batch in truth["batches"].items():
        for name, info in batch["files"].items():
            if info["outcome"] == "published":
                expected[(batch_id, name)] = info["valid"] + info["duplicates"]
    return expected


def staging_rows(platform: Platform, entities: set[str]) -> Counter[tuple[str, str]]:
    found: Counter[tuple[str, str]] = Counter()
    for entity in sorted(entities):
        line = STAGING_LINE_COLUMN.get(entity, "line_number")
        rows = platform.query(
            f"SELECT batch_id, source_file, count(*), count(DISTINCT (batch_id, source_file,"
            f" {line})) FROM staging.{entity} GROUP BY 1, 2")
        for batch_id, source_file, count, distinct in rows:
            assert count == distinct, f"duplicate staging rows in {entity}"
            found[(batch_id, source_file)] = count
    return found


def missing_dead_letters(platform: Platform, out: Path) -> list[dict[str, Any]]:
    """Defective records of the truth that are not dead-lettered with their code."""
    letters = {(b, f, line): set(codes) for b, f, line, codes in platform.query(
        "SELECT batch_id, source_file, line_number, codes FROM ops.dead_letters")}
    missing = []
    for raw in (out / "truth_defects.jsonl").read_text().splitlines():
        defect = json.loads(raw)
        if defect["outcome"] != "dead_letter":
            continue  # exact duplicates are absorbed, not dead-lettered
        codes = letters.get((defect["batch_id"], defect["file"], defect["line"]), set())
        if defect["code"] not in codes:
            missing.append(defect)
    return missing


def api_differences(platform: Platform, truth: dict[str, Any]) -> list[str]:
    """Per-day KPI figures from the API that differ from the truth."""
    differences = []
    for day, expected in sorted(truth["metrics"]["daily"].items()):
        got = platform.api(f"/api/v1/kpis?start={day}&end={day}")
        for key in ("revenue", "orders", "units", "customers", "new_customers"):
            if str(got[key]) != str(expected[key]):
                differences.append(f"{day} {key}: api={got[key]} truth={expected[key]}")
    return differences


def assert_loaded_exactly_once(platform: Platform, truth: dict[str, Any], out: Path,
                               batch_ids: list[str]) -> None:
    """Staging holds exactly the truth's valid records, every rejected record is a dead
    letter, and every batch completed exactly once."""
    entities = {info["entity"] for b in truth["batches"].values()
                for info in b["files"].values()}
    assert staging_rows(platform, entities) == expected_staging_rows(truth)
    assert missing_dead_letters(platform, out) == []
    completions = platform.query(
        "SELECT batch_id, completions FROM ops.batches WHERE batch_id = ANY(%s)",
        (batch_ids,))
    assert sorted(completions) == [(b, 1) for b in batch_ids]
