"""Writes one batch directory: entity files with exact line bookkeeping, `_SUCCESS` last.

CSV files are UTF-8 with RFC 4180 quoting (CRLF row ends, "\\n" allowed inside
quoted fields); the one deliberate exception is a non-UTF-8 defect, written
through surrogateescape as a raw byte. Each record's starting physical line is
known, because every line break inside a value is counted.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from json.encoder import encode_basestring
from pathlib import Path
from typing import IO

from shopflow.generate.defect_catalogue import DUPLICATE, REPEAT, TRUNCATE, DefectKind, Record
from shopflow.generate.defects import DefectInjector, DefectLog
from shopflow.generate.schema import DRIFT_RENAMES, ENTITY_COLUMNS, JSONL_ENTITIES, file_name

PUBLISHED, SCHEMA_DRIFT, DUPLICATE_FILE = "published", "schema_drift", "duplicate_file"
SUCCESS_MARKER = "_SUCCESS"
_SHUFFLED_HEADER_CHANCE = 0.05


@dataclass
class FileStats:
    entity: str
    records: int = 0
    valid: int = 0
    duplicates: int = 0
    dead_letters: Counter[str] = field(default_factory=Counter)
    outcome: str = PUBLISHED
    duplicate_of: str | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "entity": self.entity, "records": self.records, "valid": self.valid,
            "duplicates": self.duplicates, "dead_letters": dict(sorted(self.dead_letters.items())),
            "outcome": self.outcome, "duplicate_of": self.duplicate_of,
        }


class _EntityFile:
    def __init__(self, path: Path, entity: str, columns: list[str], header: list[str]) -> None:
        self.path = path
        self.entity = entity
        self.columns = columns
        self.jsonl = entity in JSONL_ENTITIES
        # surrogateescape lets a defect carry a raw non-UTF-8 byte; valid text is unaffected.
        self._handle: IO[str] = path.open("w", encoding="utf-8", errors="surrogateescape",
                                          newline="")
        self._csv = csv.writer(self._handle, lineterminator="\r\n")
        self.next_line = 1
        if not self.jsonl:
            self._csv.writerow(header)
            self.next_line = 2

    def write(self, record: Record) -> int:
        if self.jsonl:
            return self.write_line(_json_text(record))
        row = [record.get(column) or "" for column in self.columns]
        start = self.next_line
        self._csv.writerow(row)
        self.next_line += 1 + "".join(row).count("\n")
        return start

    def write_line(self, text: str) -> int:
        start = self.next_line
        self._handle.write(text + "\n")
        self.next_line += 1
        return start

    def close(self) -> None:
        self._handle.close()


_JSON_KEYS: dict[str, str] = {}


def _json_key(key: str) -> str:
    text = _JSON_KEYS.get(key)
    if text is None:
        text = _JSON_KEYS[key] = encode_basestring(key) + ":"
    return text


def _json_text(record: Record) -> str:
    """Compact JSON of the present keys; what json.dumps(ensure_ascii=False) gives, faster."""
    return "{" + ",".join([_json_key(key) + encode_basestring(value)
                           for key, value in record.items() if value is not None]) + "}"


class BatchWriter:
    def __init__(self, directory: Path, batch_id: str, business_date: date,
                 injector: DefectInjector, defect_log: DefectLog, drift_entity: str | None,
                 layout_rng: random.Random) -> None:
        self.directory = directory
        self.batch_id = batch_id
        self.business_date = business_date
        self._injector = injector
        self._log = defect_log
        self._drift_entity = drift_entity
        self._layout_rng = layout_rng
        self._files: dict[str, _EntityFile] = {}
        self.stats: dict[str, FileStats] = {}
        directory.mkdir(parents=True)

    def _open(self, entity: str) -> _EntityFile:
        columns = list(ENTITY_COLUMNS[entity])
        if self._layout_rng.random() < _SHUFFLED_HEADER_CHANCE:
            self._layout_rng.shuffle(columns)  # a header may list columns in any order
        header = list(columns)
        stats = FileStats(entity)
        if entity == self._drift_entity:
            old, new = DRIFT_RENAMES[entity]
            header[header.index(old)] = new
            stats.outcome = SCHEMA_DRIFT
        self.stats[file_name(entity)] = stats
        handle = _EntityFile(self.directory / file_name(entity), entity, columns, header)
        self._files[entity] = handle
        return handle

    def emit(self, entity: str, record: Record, may_defect: bool = True) -> bool:
        """Writes one record; True when the warehouse will see it (not defective, file kept)."""
        handle = self._files.get(entity) or self._open(entity)
        stats = self.stats[handle.path.name]
        stats.records += 1
        if stats.outcome == SCHEMA_DRIFT:
            handle.write(record)
            return False
        kind = self._injector.inject(entity, record) if may_defect else None
        if kind is None or kind.style == REPEAT:
            line = handle.write(record)
            stats.valid += 1
            if kind is None:
                return True
            line = handle.write(record)
            stats.records += 1
            stats.duplicates += 1
            self._log_defect(handle, line, kind, DUPLICATE)
            return True
        if kind.style == TRUNCATE:
            text = _json_text(record)
            line = handle.write_line(text[: len(text) // 2])
        else:
            line = handle.write(record)
        stats.dead_letters[kind.code] += 1
        self._log_defect(handle, line, kind, "dead_letter")
        return False

    def _log_defect(self, handle: _EntityFile, line: int, kind: DefectKind, outcome: str) -> None:
        self._log.record(batch_id=self.batch_id, file=handle.path.name, line=line,
                         entity=handle.entity, kind=kind, outcome=outcome)

    def has_file(self, entity: str) -> bool:
        return file_name(entity) in self.stats

    def copy_file(self, entity: str, source: Path, source_stats: FileStats, label: str) -> None:
        """Delivers an earlier batch's file again, byte for byte."""
        shutil.copyfile(source, self.directory / file_name(entity))
        self.stats[file_name(entity)] = FileStats(
            entity, records=source_stats.records, outcome=DUPLICATE_FILE, duplicate_of=label)

    def finish(self) -> dict[str, FileStats]:
        for handle in self._files.values():
            handle.close()
        manifest = json.dumps({"business_date": self.business_date.isoformat()})
        (self.directory / SUCCESS_MARKER).write_text(manifest + "\n", encoding="utf-8")
        return self.stats
