"""Streaming JSON Lines reader: one JSON object per physical line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

import orjson

from shopflow.ingest.readers import PREVIEW_BYTES, UTF8_BOM, Record

_SKIP_CHUNK = 1 << 16


def read_jsonl(stream: BinaryIO, max_line_bytes: int) -> Iterator[Record]:
    """Every non-blank line; the value published is the line as written (without newline)."""
    line_no = 0
    while True:
        raw = stream.readline(max_line_bytes + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > max_line_bytes:
            if not raw.endswith(b"\n"):
                _skip_rest_of_line(stream)
            yield Record(line_no, raw[:PREVIEW_BYTES], None,
                         f"line {line_no}: longer than {max_line_bytes} bytes")
            continue
        if line_no == 1 and raw.startswith(UTF8_BOM):
            raw = raw[len(UTF8_BOM):]
        text = raw.rstrip(b"\r\n")
        if not text.strip():
            continue
        yield _record(line_no, text)


def _record(line_no: int, text: bytes) -> Record:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Record(line_no, text, None, f"line {line_no}: malformed JSON: {exc}")
    if not isinstance(value, dict):
        return Record(line_no, text, None,
                      f"line {line_no}: expected a JSON object, got {type(value).__name__}")
    return Record(line_no, text, value)


def _skip_rest_of_line(stream: BinaryIO) -> None:
    while True:
        chunk = stream.readline(_SKIP_CHUNK)
        if not chunk or chunk.endswith(b"\n"):
            return
