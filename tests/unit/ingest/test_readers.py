"""Streaming readers: CSV and JSON Lines, record by record, with line numbers."""

from __future__ import annotations

import io
import json

import pytest

from shopflow.ingest.csvfile import CsvFile
from shopflow.ingest.jsonlfile import read_jsonl
from shopflow.ingest.readers import PREVIEW_BYTES, FileFormatError, first_line


def csv_records(data: bytes, limit: int = 10_000) -> list:
    return list(CsvFile(io.BytesIO(data), limit))


def test_csv_values_are_json_objects_of_the_cells_as_strings() -> None:
    [record] = csv_records(b"order_id,quantity,note\no1,2,\n")
    assert record.line == 2 and record.error is None
    assert json.loads(record.value) == {"order_id": "o1", "quantity": "2", "note": ""}
    assert record.mapping == {"order_id": "o1", "quantity": "2", "note": ""}


def test_csv_quoted_newlines_emoji_and_sql_text_are_data() -> None:
    data = ('id,body\n'
            'a,"first line\nsecond line\r\nthird"\n'
            'b,"Robert\'); DROP TABLE students;--"\n'
            'c,"she said ""hi"" 😀"\n').encode()
    records = csv_records(data)
    assert [r.line for r in records] == [2, 5, 6]
    assert [r.mapping["body"] for r in records] == [
        "first line\nsecond line\r\nthird", "Robert'); DROP TABLE students;--",
        'she said "hi" 😀']
    assert all(r.error is None for r in records)


def test_csv_line_numbers_count_blank_lines_and_crlf() -> None:
    records = csv_records(b"id,v\r\n1,a\r\n\r\n2,b\r\n")
    assert [(r.line, r.mapping) for r in records] == [(2, {"id": "1", "v": "a"}),
                                                      (4, {"id": "2", "v": "b"})]


def test_csv_row_with_non_utf8_bytes_is_unreadable_with_original_bytes() -> None:
    records = csv_records(b"id,v\n1,ok\n2,caf\xe9\n3,fine\n")
    bad = records[1]
    assert bad.error is not None and "UTF-8" in bad.error
    assert bad.value == b"2,caf\xe9\n" and bad.mapping is None and bad.line == 3
    assert records[2].mapping == {"id": "3", "v": "fine"}


def test_csv_wrong_cell_count_and_bad_quoting_are_unreadable_then_reading_goes_on() -> None:
    records = csv_records(b'id,v\n1\n2,a,b\n3,"x"y\n4,ok\n')
    assert [(r.line, r.error is not None) for r in records] == [
        (2, True), (3, True), (4, True), (5, False)]
    assert records[0].value == b"1\n" and "1 cells" in (records[0].error or "")


def test_csv_unterminated_quote_costs_only_its_own_line() -> None:
    records = csv_records(b'id,v\n1,ok\n2,"never closed\nmore\n')
    assert [(r.line, r.error is None) for r in records] == [(2, True), (3, False), (4, False)]
    assert records[1].value == b'2,"never closed\n'
    assert "reading resumes at line 4" in (records[1].error or "")
    assert records[2].value == b"more\n"  # a line of its own, unreadable (1 cell of 2)


def test_a_stray_quote_does_not_swallow_the_neighbours() -> None:
    """19,999 rows, an unclosed quote on line 2: every other row is still read."""
    rows = [b"%d,row %d" % (i, i) for i in range(3, 20_001)]
    data = b"id,v\n" + b'2,"stray\n' + b"\n".join(rows) + b"\n"
    records = csv_records(data, limit=1024 * 1024)
    assert len(records) == 19_999
    assert records[0].line == 2 and records[0].error and records[0].value == b'2,"stray\n'
    assert all(r.error is None for r in records[1:])
    assert [r.mapping["id"] for r in records[1:]] == [str(i) for i in range(3, 20_001)]
    assert [r.line for r in records[1:]] == list(range(3, 20_001))


def test_a_stray_quote_closed_further_down_costs_only_its_line() -> None:
    data = b'id,v\n1,"a\n2,b\n3,c"d\n4,ok\n'
    records = csv_records(data)
    assert [(r.line, r.error is None) for r in records] == [
        (2, False), (3, True), (4, True), (5, True)]  # a quote inside a bare cell is data


def test_a_legitimate_multi_line_cell_is_still_one_record() -> None:
    [record] = csv_records(b'id,v\n1,"a\nb\nc"\n')
    assert record.error is None and record.mapping == {"id": "1", "v": "a\nb\nc"}


def test_csv_record_over_the_limit_is_cut_to_a_preview_and_reading_goes_on() -> None:
    long_cell = b"x" * 20_000
    records = csv_records(b"id,v\n1," + long_cell + b"\n2,ok\n", limit=1000)
    assert records[0].error is not None and "longer than 1000" in records[0].error
    assert len(records[0].value) <= PREVIEW_BYTES
    assert records[1].line == 3 and records[1].mapping == {"id": "2", "v": "ok"}


def test_csv_header_with_utf8_bom_is_read() -> None:
    assert CsvFile(io.BytesIO(b"\xef\xbb\xbfid,v\n1,a\n"), 1000).header == ["id", "v"]


@pytest.mark.parametrize("data, code", [
    (b"", "schema_drift"),
    ("id,v\n".encode("utf-16"), "not_utf8"),
    (b"id,caf\xe9\n1,a\n", "not_utf8"),
    ("id,v\n".encode("utf-16-le"), "not_utf8"),
])
def test_csv_unusable_header_is_a_file_level_problem(data: bytes, code: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        CsvFile(io.BytesIO(data), 1000)
    assert caught.value.code == code


def test_jsonl_records_keep_the_line_as_written() -> None:
    data = b'{"id": "a", "n": 1}\n\n{"id":"b","text":"\xf0\x9f\x98\x80 \\"q\\""}\r\n'
    records = list(read_jsonl(io.BytesIO(data), 1000))
    assert [r.line for r in records] == [1, 3]
    assert records[0].value == b'{"id": "a", "n": 1}' and records[0].mapping == {"id": "a", "n": 1}
    assert records[1].mapping == {"id": "b", "text": '😀 "q"'}


def test_jsonl_malformed_lines_are_unreadable_with_original_bytes() -> None:
    data = b'{"id":"a"}\n{"id": \n[1,2]\n"text"\n{"id":"\xff"}\n{"id":"z"}'
    records = list(read_jsonl(io.BytesIO(data), 1000))
    assert [(r.line, r.error is None) for r in records] == [
        (1, True), (2, False), (3, False), (4, False), (5, False), (6, True)]
    assert records[1].value == b'{"id": ' and records[4].value == b'{"id":"\xff"}'


def test_jsonl_overlong_line_is_skipped_to_its_end() -> None:
    data = b'{"id":"' + b"x" * 5000 + b'"}\n{"id":"next"}\n'
    records = list(read_jsonl(io.BytesIO(data), 100))
    assert records[0].error is not None and len(records[0].value) <= 101
    assert records[1].line == 2 and records[1].mapping == {"id": "next"}


def test_first_line_checks() -> None:
    assert first_line(io.BytesIO(b"\xef\xbb\xbf{}\n"), 100) == "{}\n"
    with pytest.raises(FileFormatError):
        first_line(io.BytesIO('{"a": 1}\n'.encode("utf-16")), 100)
    cut_inside_a_character = ('{"a": "' + "é" * 60 + '"}\n').encode()
    assert first_line(io.BytesIO(cut_inside_a_character), 20).startswith('{"a": "é')
