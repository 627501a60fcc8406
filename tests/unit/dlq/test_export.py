"""Export files round-trip: what a person leaves in the file is what gets replayed."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shopflow.dlq import (
    DeadLetter,
    ExportedLetter,
    ExportFormatError,
    Identity,
    read_export,
    write_export,
)

NOW = datetime(2026, 1, 2, tzinfo=UTC)


def letter(payload: bytes | None, line: int = 3) -> DeadLetter:
    return DeadLetter(Identity("b1", "orders.csv", line), "orders", ["invalid_enum"],
                      [{"code": "invalid_enum", "field": "status", "message": "bad"}], 1,
                      "p.raw.orders", 0, 7, "p.dlq.orders", 0, 1, 1, NOW, NOW, b"o1", payload,
                      None, None)


def round_trip(tmp_path: Path, letters: list[DeadLetter],
               edit: Callable[[list[dict]], None] | None = None) -> list[ExportedLetter]:
    out = io.StringIO()
    assert write_export(letters, out) == len(letters)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    if edit:
        edit(lines)
    path = tmp_path / "export.jsonl"
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines))
    return list(read_export(path))


def test_records_raw_text_and_raw_bytes_survive_unchanged(tmp_path: Path) -> None:
    payloads = [b'{"order_id": "o1", "status": "lost", "note": "\xf0\x9f\x98\x80"}',
                b"o4,c4,bad line\n", b"o5,caf\xe9\n", None]
    letters = [letter(p, line) for line, p in enumerate(payloads, start=2)]
    exported = round_trip(tmp_path, letters)
    assert [e.identity.line_number for e in exported] == [2, 3, 4, 5]
    assert exported[0].record == json.loads(payloads[0] or b"")
    assert [e.payload for e in exported[1:]] == payloads[1:]


def test_edits_are_taken_as_written(tmp_path: Path) -> None:
    def edit(lines: list[dict]) -> None:
        lines[0]["record"]["status"] = "paid"
        lines[1]["raw"] = '{"order_id": "o4"}'
        del lines[1]["raw_base64"]

    exported = round_trip(tmp_path, [letter(b'{"status": "lost"}'), letter(b"x\xff", 4)], edit)
    assert exported[0].record == {"status": "paid"}
    assert exported[1].payload == b'{"order_id": "o4"}'


@pytest.mark.parametrize("line", ['{"batch_id": "b1"}', "[1]", "{oops",
                                  '{"batch_id": "b", "source_file": "f", "line_number": 1, '
                                  '"record": [1]}'])
def test_broken_export_lines_are_refused_with_their_line_number(tmp_path: Path,
                                                                line: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + line + "\n")
    with pytest.raises(ExportFormatError, match=r"bad.jsonl:2"):
        list(read_export(path))


def test_numbers_survive_an_export_and_its_replay_exactly(tmp_path: Path) -> None:
    from contracts.schema_rules import load_exact
    from shopflow.dlq.export import dump_exact, payload_fields, read_export
    payload = b'{"unit_price": 19.9000000000000001, "quantity": 2, "big": 1234567.123456789012}'
    record = payload_fields(payload)["record"]
    text = dump_exact(record)
    assert load_exact(text) == load_exact(payload)
    assert "19.9000000000000001" in text and "1234567.123456789012" in text
    export = tmp_path / "x.jsonl"
    export.write_text(dump_exact({"batch_id": "b", "source_file": "f.csv", "line_number": 2,
                                  "record": dict(record, quantity=3)}) + "\n")
    [entry] = read_export(export)
    assert b"19.9000000000000001" in (entry.payload or b"")
