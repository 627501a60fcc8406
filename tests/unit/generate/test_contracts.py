"""Every generated record meets the contracts, and every defect fails with its code."""

from __future__ import annotations

from pathlib import Path

import contracts
from tests.unit.generate.defect_checks import BAD_BYTE
from tests.unit.generate.readback import (
    batch_dirs,
    data_files,
    entity_of,
    load_defects,
    load_truth,
    read_csv,
    read_rows,
)


def test_records_validate_exactly_as_catalogued(defective_out: Path) -> None:
    out = defective_out
    expected = {(d["batch_id"], d["file"], d["line"]): d for d in load_defects(out)}
    truth = load_truth(out)
    checked = 0
    for batch in batch_dirs(out):
        for path in data_files(batch):
            if truth["batches"][batch.name]["files"][path.name]["outcome"] != "published":
                continue
            for row in read_rows(path):
                defect = expected.get((batch.name, path.name, row.line))
                code = None if defect is None or defect["code"] == "duplicate" else defect["code"]
                where = f"{batch.name}/{path.name}:{row.line}"
                checked += 1
                if row.record is None or any(BAD_BYTE in str(v) for v in row.record.values()):
                    assert code == "unparseable", where
                    continue
                outcome = contracts.validate_record(entity_of(path), row.record)
                if code is None:
                    assert outcome.ok, (where, outcome.errors)
                else:
                    assert not outcome.ok, where
                    assert [e.code.value for e in outcome.errors] == [code], (where,
                                                                          outcome.errors)
    assert checked > 10_000


def test_drifted_headers_are_schema_drift_for_the_contracts(defective_out: Path) -> None:
    for fault in load_truth(defective_out)["file_faults"]:
        if fault["outcome"] != "schema_drift":
            continue
        header, _ = read_csv(defective_out / fault["batch_id"] / fault["file"])
        assert contracts.header_problem(fault["file"].split(".")[0], header) is not None
