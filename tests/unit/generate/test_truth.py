"""The ground truth agrees with the files it describes."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from shopflow.generate import GenerationSummary
from shopflow.generate.defect_catalogue import CATALOGUE
from tests.unit.generate.defect_checks import CHECKS, WHOLE_ROW_KINDS, matching_checks
from tests.unit.generate.readback import (
    Row,
    batch_dirs,
    data_files,
    entity_of,
    load_defects,
    load_truth,
    read_csv,
    read_rows,
)
from tests.unit.generate.recompute import recompute

RECORD_CODES = {"missing_field", "invalid_type", "out_of_range", "invalid_enum",
                "invalid_format", "cross_field", "unknown_field", "unparseable"}


def test_metrics_match_an_independent_recomputation(defective_out: Path) -> None:
    truth = load_truth(defective_out)["metrics"]
    again = recompute(defective_out)
    assert again["daily"] == truth["daily"]
    assert again["daily_by_category"] == truth["daily_by_category"]
    assert again["totals"] == truth["totals"]


def test_clean_metrics_match_too(clean_out: Path) -> None:
    truth = load_truth(clean_out)["metrics"]
    again = recompute(clean_out)
    assert again["daily"] == truth["daily"]
    assert again["daily_by_category"] == truth["daily_by_category"]


def test_every_defect_line_starts_a_row_with_that_defect(defective_out: Path) -> None:
    defects = load_defects(defective_out)
    assert defects
    files: dict[Path, tuple[list[Row], dict[int, int]]] = {}
    for defect in defects:
        path = defective_out / defect["batch_id"] / defect["file"]
        if path not in files:
            rows = read_rows(path)
            files[path] = rows, {row.line: position for position, row in enumerate(rows)}
        rows, position_of = files[path]
        position = position_of[defect["line"]]
        record = rows[position].record
        where = f"{defect['batch_id']}/{defect['file']}:{defect['line']}"
        if defect["defect"] == "truncated_json":
            assert record is None, where
        elif defect["defect"] == "exact_duplicate":
            assert record == rows[position - 1].record, where
        else:
            assert record is not None, where
            assert matching_checks(defect["entity"], record) == [defect["defect"]], where


def test_rows_not_listed_as_defective_look_clean(defective_out: Path) -> None:
    listed = {(d["batch_id"], d["file"], d["line"]) for d in load_defects(defective_out)}
    truth = load_truth(defective_out)
    for batch in batch_dirs(defective_out):
        for path in data_files(batch):
            if truth["batches"][batch.name]["files"][path.name]["outcome"] != "published":
                continue
            for row in read_rows(path):
                if (batch.name, path.name, row.line) in listed:
                    continue
                assert row.record is not None, f"{path}:{row.line}"
                assert not matching_checks(entity_of(path), row.record), f"{path}:{row.line}"


def test_file_counts_add_up(defective_out: Path) -> None:
    truth = load_truth(defective_out)
    defects = Counter((d["batch_id"], d["file"], d["code"]) for d in load_defects(defective_out))
    for batch in batch_dirs(defective_out):
        files = truth["batches"][batch.name]["files"]
        assert sorted(files) == [p.name for p in data_files(batch)]
        for name, stats in files.items():
            assert stats["records"] == len(read_rows(batch / name))
            if stats["outcome"] != "published":
                assert stats["valid"] == 0 and stats["duplicates"] == 0
                continue
            dead = {code: defects[(batch.name, name, code)] for code in RECORD_CODES
                    if defects[(batch.name, name, code)]}
            assert stats["dead_letters"] == dead
            assert stats["duplicates"] == defects[(batch.name, name, "duplicate")]
            assert stats["valid"] + sum(dead.values()) + stats["duplicates"] == stats["records"]


def test_file_faults_are_real(defective_out: Path) -> None:
    faults = load_truth(defective_out)["file_faults"]
    outcomes = Counter(fault["outcome"] for fault in faults)
    assert outcomes["schema_drift"] >= 1 and outcomes["duplicate_file"] >= 1
    for fault in faults:
        path = defective_out / fault["batch_id"] / fault["file"]
        if fault["outcome"] == "schema_drift":
            header, _ = read_csv(path)
            assert fault["code"] == "schema_drift"
            assert set(header) != set(read_csv(path.parent.parent / _any_published(
                defective_out, fault["file"]))[0])
        else:
            original = defective_out / fault["duplicate_of"]
            assert original.parent.name < fault["batch_id"]
            assert path.read_bytes() == original.read_bytes()


def _any_published(out: Path, file: str) -> str:
    truth = load_truth(out)
    for batch_id, batch in sorted(truth["batches"].items()):
        if batch["files"].get(file, {}).get("outcome") == "published":
            return f"{batch_id}/{file}"
    raise AssertionError(f"no published {file}")


def test_late_arriving_customers_order_before_their_record(defective_out: Path) -> None:
    late = load_truth(defective_out)["late_arriving_customers"]
    assert late
    for entry in late:
        assert entry["first_order_batch"] < entry["record_batch"]
        first_record = next(batch.name for batch in batch_dirs(defective_out)
                            if (batch / "customers.csv").exists() and any(
                                row.record and row.record["customer_id"] == entry["customer_id"]
                                for row in read_rows(batch / "customers.csv")))
        assert first_record == entry["record_batch"]
        orders = read_rows(defective_out / entry["first_order_batch"] / "orders.csv")
        assert any(row.record and row.record["customer_id"] == entry["customer_id"]
                   for row in orders)


def test_every_error_code_and_most_kinds_appear(defective_out: Path) -> None:
    defects = load_defects(defective_out)
    assert {d["code"] for d in defects} == RECORD_CODES | {"duplicate"}
    seen = {(d["entity"], d["defect"]) for d in defects}
    for entity in ("orders", "order_items", "clickstream", "inventory"):
        assert {(entity, kind.name) for kind in CATALOGUE[entity]} <= seen


def test_catalogue_and_independent_checks_agree() -> None:
    catalogued = {(entity, kind.name) for entity, kinds in CATALOGUE.items() for kind in kinds
                  if kind.name not in WHOLE_ROW_KINDS}
    assert catalogued == set(CHECKS)


def test_defect_share_is_close_to_the_rate(defective_run: GenerationSummary) -> None:
    share = defective_run.defective_records / defective_run.records
    assert 0.035 < share < 0.08


def test_clean_run_has_no_defects_and_no_faults(clean_out: Path) -> None:
    truth = load_truth(clean_out)
    assert load_defects(clean_out) == []
    assert truth["file_faults"] == []
    for batch in truth["batches"].values():
        for stats in batch["files"].values():
            assert stats["outcome"] == "published"
            assert stats["valid"] == stats["records"]
