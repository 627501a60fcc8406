"""Line bookkeeping and JSON text of the batch writer, for arbitrary values."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from shopflow.generate.defects import DefectInjector, DefectLog
from shopflow.generate.writer import BatchWriter, _json_text
from tests.unit.generate.readback import read_csv

# Any text a source might hold, but line breaks only as "\n" (as the generator
# writes them), since "\r" alone would be a line end to some readers.
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\x00"),
               max_size=40)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=12))
def test_csv_rows_start_on_the_lines_the_writer_reports(values: list[tuple[str, str]]) -> None:
    with TemporaryDirectory() as tmp:
        directory = Path(tmp) / "batch-2026-01-01"
        with DefectLog(Path(tmp) / "defects.jsonl") as log:
            writer = BatchWriter(directory, "batch-2026-01-01", date(2026, 1, 1),
                                 DefectInjector(random.Random(1), 0.0), log, None,
                                 random.Random(99))
            for number, (title, body) in enumerate(values, start=1):
                writer.emit("reviews", {"review_id": f"r{number}", "order_id": "o1",
                                        "rating": "5", "review_ts": "2026-01-01T10:00:00Z",
                                        "title": title or None, "body": body or None})
            writer.finish()
        _, rows = read_csv(directory / "reviews.csv")
    expected, line = [], 2
    for title, body in values:
        expected.append(line)
        line += 1 + title.count("\n") + body.count("\n")
    assert [row.line for row in rows] == expected
    assert [(r.record or {}).get("body") or "" for r in rows] == [body for _, body in values]


@given(st.dictionaries(TEXT, st.one_of(st.none(), TEXT), max_size=8))
def test_json_text_is_what_json_dumps_writes(record: dict[str, str | None]) -> None:
    present = {key: value for key, value in record.items() if value is not None}
    assert _json_text(record) == json.dumps(present, ensure_ascii=False,
                                            separators=(",", ":"))
