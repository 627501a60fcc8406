"""A record's raw chunk entry: its line, key and original bytes, and why it is unreadable."""

from __future__ import annotations

import base64

from contracts.chunk import entry_bytes
from shopflow.ingest.publish import MAX_VALUE_BYTES, escaped_size, record_entry
from shopflow.ingest.readers import PREVIEW_BYTES, Record


def test_a_readable_record_keeps_its_text_key_and_line() -> None:
    entry, _size = record_entry(Record(12, b'{"a":"1"}', {"a": "1"}), b"k-1")
    assert entry == {"line": 12, "key": "k-1", "value": '{"a":"1"}'}
    assert entry_bytes(entry) == b'{"a":"1"}'


def test_an_unreadable_record_says_why_and_keeps_its_bytes() -> None:
    entry, _size = record_entry(Record(3, b"o1,\xff", None, "line 3: not UTF-8"), None)
    assert entry["error"] == "line 3: not UTF-8"
    assert entry["key"] is None
    assert base64.b64decode(entry["value_b64"]) == b"o1,\xff"
    assert entry_bytes(entry) == b"o1,\xff"


def test_a_record_too_large_to_publish_keeps_a_preview() -> None:
    big = b"x" * (MAX_VALUE_BYTES + 1)
    entry, _size = record_entry(Record(7, big, {"x": "..."}), None)
    assert entry_bytes(entry) == big[:PREVIEW_BYTES]
    assert entry["error"] == f"line 7: record of {len(big)} bytes is too large to publish"
    fits = big[:MAX_VALUE_BYTES * 3 // 4 - 100]  # base64 may be needed: 4/3 of the bytes
    at_limit, _size = record_entry(Record(7, fits, {}), None)
    assert "error" not in at_limit and entry_bytes(at_limit) == fits


def test_the_size_estimate_covers_json_escaping() -> None:
    import orjson
    value = b'{"a":"say \\"hi\\"\\n"}'
    assert escaped_size(value) >= len(orjson.dumps(value.decode()))


def test_the_size_of_readable_json_text_is_bounded_too() -> None:
    import orjson

    from shopflow.ingest.publish import json_text_size
    value = orjson.dumps({"a": 'say "hi"\\', "b": "\n\t\u0001"})
    _entry, size = record_entry(Record(2, value, {}), None)
    assert size == json_text_size(value) >= len(orjson.dumps(value.decode()))
