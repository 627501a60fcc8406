"""The value and headers of a raw event: provenance plus the line, and why it is unreadable."""

from __future__ import annotations

from shopflow.events import H_BATCH_ID, H_LINE, H_PARSE_ERROR
from shopflow.ingest.publish import MAX_VALUE_BYTES, raw_event
from shopflow.ingest.readers import PREVIEW_BYTES, Record
from shopflow.runtime.kafka import Headers

BASE: Headers = [(H_BATCH_ID, b"batch-1")]


def test_a_readable_record_keeps_its_value_and_gets_its_line() -> None:
    value, headers = raw_event(Record(12, b'{"a":"1"}', {"a": "1"}), BASE)
    assert value == b'{"a":"1"}'
    assert headers == [(H_BATCH_ID, b"batch-1"), (H_LINE, b"12")]
    assert BASE == [(H_BATCH_ID, b"batch-1")]  # the file's headers are shared, not changed


def test_an_unreadable_record_says_why() -> None:
    value, headers = raw_event(Record(3, b"o1,\xff", None, "line 3: not UTF-8"), BASE)
    assert value == b"o1,\xff"
    assert headers == [*BASE, (H_LINE, b"3"), (H_PARSE_ERROR, b"line 3: not UTF-8")]


def test_a_record_too_large_to_publish_keeps_a_preview() -> None:
    big = b"x" * (MAX_VALUE_BYTES + 1)
    value, headers = raw_event(Record(7, big, {"x": "..."}), BASE)
    assert value == big[:PREVIEW_BYTES]
    assert headers[-1] == (H_PARSE_ERROR,
                           f"line 7: record of {len(big)} bytes is too large to publish".encode())
    assert raw_event(Record(7, big[:MAX_VALUE_BYTES], {}), BASE)[0] == big[:MAX_VALUE_BYTES]
