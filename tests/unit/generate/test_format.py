"""Batch directories follow SPEC section 3 exactly."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

from tests.unit.generate.readback import (
    COLUMNS,
    batch_dirs,
    data_files,
    entity_of,
    load_defects,
    load_truth,
    read_csv,
    read_jsonl,
)

MONEY = re.compile(r"\d+\.\d{2}")


def test_out_root_holds_only_batches_and_truth(defective_out: Path) -> None:
    names = sorted(p.name for p in defective_out.iterdir())
    batches = [n for n in names if n.startswith("batch-")]
    assert sorted(set(names) - set(batches)) == ["truth.json", "truth_defects.jsonl"]
    assert batches == sorted(load_truth(defective_out)["batches"])
    assert len(batches) == 12


def test_each_batch_is_ready_with_its_manifest_written_last(defective_out: Path) -> None:
    for batch in batch_dirs(defective_out):
        business_date = date.fromisoformat(batch.name.removeprefix("batch-"))
        success = batch / "_SUCCESS"
        assert json.loads(success.read_text(encoding="utf-8")) == {
            "business_date": business_date.isoformat()}
        newest_data = max(p.stat().st_mtime_ns for p in data_files(batch))
        assert success.stat().st_mtime_ns >= newest_data
        assert {p.name for p in batch.iterdir()} - {"_SUCCESS"} == {
            p.name for p in data_files(batch)}


def test_csv_files_parse_with_a_known_header(defective_out: Path) -> None:
    unparseable_files = {(d["batch_id"], d["file"]) for d in load_defects(defective_out)
                         if d["code"] == "unparseable"}
    for batch in batch_dirs(defective_out):
        for path in data_files(batch):
            if path.suffix != ".csv":
                continue
            raw = path.read_bytes()
            assert raw.endswith(b"\r\n")
            if (batch.name, path.name) not in unparseable_files:
                raw.decode("utf-8")  # strictly UTF-8 unless a defect says otherwise
            header, _rows = read_csv(path)
            assert len(header) == len(set(header))
            status = load_truth(defective_out)["batches"][batch.name]["files"][path.name]
            if status["outcome"] == "schema_drift":
                assert not set(header) <= COLUMNS[entity_of(path)]
            else:
                assert set(header) == COLUMNS[entity_of(path)]


def test_jsonl_lines_parse_except_the_truncated_ones(defective_out: Path) -> None:
    truncated = {(d["batch_id"], d["file"], d["line"]) for d in load_defects(defective_out)
                 if d["defect"] == "truncated_json"}
    assert truncated
    for batch in batch_dirs(defective_out):
        for row in read_jsonl(batch / "clickstream.jsonl"):
            broken = (batch.name, "clickstream.jsonl", row.line) in truncated
            assert (row.record is None) == broken


def test_values_are_written_the_documented_way(clean_out: Path) -> None:
    offsets: Counter[str] = Counter()
    multi_line_rows = 0
    for batch in batch_dirs(clean_out):
        _, orders = read_csv(batch / "orders.csv")
        for row in orders:
            assert row.record is not None
            offsets[_offset_kind(row.record["order_ts"])] += 1
            assert MONEY.fullmatch(row.record["shipping_amount"])
        _, items = read_csv(batch / "order_items.csv")
        assert all(row.record and MONEY.fullmatch(row.record["unit_price"]) for row in items)
        if (batch / "reviews.csv").exists():
            _, reviews = read_csv(batch / "reviews.csv")
            multi_line_rows += sum(1 for a, b in itertools.pairwise(reviews)
                                   if b.line - a.line > 1)
    assert set(offsets) == {"Z", "+00:00", "none", "other"}
    assert offsets["Z"] > offsets["+00:00"] > offsets["other"]
    assert multi_line_rows > 0


def _offset_kind(text: str) -> str:
    if text.endswith("Z"):
        return "Z"
    if text.endswith("+00:00"):
        return "+00:00"
    return "other" if re.search(r"[+-]\d\d:\d\d$", text) else "none"
