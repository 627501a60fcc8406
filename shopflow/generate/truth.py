"""The ground truth file (`truth.json`), written after every batch is out."""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date
from pathlib import Path

from shopflow.generate.config import GenerationConfig
from shopflow.generate.defects import DefectLog
from shopflow.generate.sales_truth import SalesTruth
from shopflow.generate.writer import PUBLISHED, SCHEMA_DRIFT, FileStats

TRUTH_FILE = "truth.json"
DEFECTS_FILE = "truth_defects.jsonl"
FORMAT_VERSION = 1


class TruthBook:
    def __init__(self, config: GenerationConfig) -> None:
        self._config = config
        self.sales = SalesTruth()
        self._batches: dict[str, dict[str, object]] = {}
        self._file_faults: list[dict[str, object]] = []
        self._late_customers: list[dict[str, object]] = []
        self.records_by_entity: Counter[str] = Counter()
        self.sessions: Counter[str] = Counter()  # clickstream sessions generated, by kind

    def record_batch(self, batch_id: str, business_date: date,
                     files: dict[str, FileStats]) -> None:
        self._batches[batch_id] = {
            "business_date": business_date.isoformat(),
            "files": {name: stats.as_json() for name, stats in sorted(files.items())},
        }
        for name, stats in sorted(files.items()):
            self.records_by_entity[stats.entity] += stats.records
            if stats.outcome != PUBLISHED:
                self._file_faults.append({
                    "batch_id": batch_id, "file": name, "outcome": stats.outcome,
                    "code": SCHEMA_DRIFT if stats.outcome == SCHEMA_DRIFT else None,
                    "duplicate_of": stats.duplicate_of, "records": stats.records})

    def late_customer(self, customer_id: str, signup_date: date, first_order_batch: str,
                      record_batch: str) -> None:
        self._late_customers.append({
            "customer_id": customer_id, "signup_date": signup_date.isoformat(),
            "first_order_batch": first_order_batch, "record_batch": record_batch})

    @property
    def file_fault_count(self) -> int:
        return len(self._file_faults)

    def _sessions_truth(self) -> dict[str, object]:
        """As generated, before defects: the warehouse may count a few fewer (a bounce
        whose one event is dead-lettered is no session)."""
        total = sum(self.sessions.values())
        purchases = self.sessions["purchase"]
        return {"total": total, "by_kind": dict(sorted(self.sessions.items())),
                "conversion_rate": f"{purchases / total:.4f}" if total else None,
                "bounce_rate": f"{self.sessions['bounce'] / total:.4f}" if total else None}

    def write(self, out: Path, defect_log: DefectLog) -> Path:
        self.sales.finish()
        document = {
            "format_version": FORMAT_VERSION,
            "arguments": self._config.as_arguments(),
            "batches": self._batches,
            "records": {"total": sum(self.records_by_entity.values()),
                        "by_entity": dict(sorted(self.records_by_entity.items()))},
            "defects": {"file": DEFECTS_FILE, "count": defect_log.total,
                        "by_code": dict(sorted(defect_log.by_code.items()))},
            "file_faults": self._file_faults,
            "late_arriving_customers": self._late_customers,
            "sessions": self._sessions_truth(),
            "metrics": {
                "daily": self.sales.daily,
                "daily_by_category": self.sales.daily_by_category,
                "totals": self.sales.totals(),
                "totals_by_category": self.sales.totals_by_category(),
            },
        }
        path = out / TRUTH_FILE
        partial = out / f".{TRUTH_FILE}.partial"
        partial.write_text(json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False)
                           + "\n", encoding="utf-8")
        os.replace(partial, path)
        return path
