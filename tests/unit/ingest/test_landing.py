"""The landing area on disk: ready batches, rejected entries, quarantine, submission."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from shopflow.ingest.landing import archive, business_date, ready_batches
from shopflow.ingest.quarantine import quarantine_file
from shopflow.ingest.submit import SubmitError, submit


def make_batch(root: Path, name: str, ready: bool = True) -> Path:
    batch = root / name
    batch.mkdir(parents=True)
    (batch / "orders.csv").write_text("order_id\n")
    if ready:
        (batch / "_SUCCESS").write_text(json.dumps({"business_date": "2026-01-02"}))
    return batch


def test_only_ready_safe_batches_are_picked_and_unsafe_entries_moved_aside(
        tmp_path: Path) -> None:
    landing, quarantine = tmp_path / "landing", tmp_path / "quarantine"
    make_batch(landing, "batch-b")
    make_batch(landing, "batch-a")
    make_batch(landing, "not-ready", ready=False)
    make_batch(landing, ".incoming-x")
    make_batch(landing, "bad name")
    outside = make_batch(tmp_path, "outside")
    os.symlink(outside, landing / "linked")
    found = ready_batches(landing, quarantine)
    assert [p.name for p in found] == ["batch-a", "batch-b"]
    rejected = sorted(p.name for p in (quarantine / "_rejected").iterdir())
    assert len([n for n in rejected if n.endswith(".reason.json")]) == 2
    assert not (landing / "linked").is_symlink() and (outside / "orders.csv").exists()
    assert (landing / "not-ready").exists() and (landing / ".incoming-x").exists()


def test_business_date_from_manifest_and_archive(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "landing", "batch-1")
    assert business_date(batch) == "2026-01-02"
    (batch / "_SUCCESS").write_text("not json")
    assert business_date(batch) is None
    first = archive(tmp_path / "landing", batch)
    again = archive(tmp_path / "landing", make_batch(tmp_path / "landing", "batch-1"))
    assert first.name == "batch-1" and again.name == "batch-1.1"


def test_quarantine_writes_a_reason_file(tmp_path: Path) -> None:
    batch = make_batch(tmp_path / "landing", "batch-1")
    moved = quarantine_file(tmp_path / "q", "batch-1", batch / "orders.csv", "schema_drift",
                            "missing column")
    reason = json.loads((tmp_path / "q" / "batch-1" / "orders.csv.reason.json").read_text())
    assert moved == tmp_path / "q" / "batch-1" / "orders.csv" and moved.exists()
    assert reason["code"] == "schema_drift" and reason["reason"] == "missing column"
    assert "time" in reason and not (batch / "orders.csv").exists()


def test_submit_copies_every_ready_batch_atomically(tmp_path: Path) -> None:
    source, landing = tmp_path / "out", tmp_path / "landing"
    make_batch(source, "batch-2026-01-01")
    make_batch(source, "batch-2026-01-02")
    make_batch(source, "half", ready=False)
    assert submit(source, landing) == ["batch-2026-01-01", "batch-2026-01-02"]
    assert sorted(p.name for p in landing.iterdir()) == ["batch-2026-01-01", "batch-2026-01-02"]
    assert (landing / "batch-2026-01-01" / "_SUCCESS").exists()
    with pytest.raises(SubmitError, match="already waiting"):
        submit(source / "batch-2026-01-01", landing)


def test_submit_refuses_a_directory_without_batches(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SubmitError, match="no ready batch"):
        submit(tmp_path / "empty", tmp_path / "landing")
