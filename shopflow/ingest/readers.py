"""Streaming readers for batch files: one `Record` per source record, never the whole file.

A record that cannot be read (bad JSON, bytes that are not UTF-8, a wrong cell
count, a line over the size limit) is still returned, with its original bytes and
an error message, so that the validator can dead-letter it as `unparseable`.
Line numbers are the physical line where a record starts (a CSV header is line 1;
CSV fields may span lines).
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from typing import Any, BinaryIO

UTF8_BOM = b"\xef\xbb\xbf"
# What a record too large to publish keeps of its bytes (Kafka messages stay small).
PREVIEW_BYTES = 4096
_SKIP_CHUNK = 1 << 16

# The record size is bounded by max_line_bytes below; the csv module's own
# (process-wide) field limit must not be the smaller one.
csv.field_size_limit(1 << 30)


@dataclass(frozen=True, slots=True)
class Record:
    """One source record: `value` is what gets published, `mapping` what was read."""

    line: int
    value: bytes
    mapping: dict[str, Any] | None
    error: str | None = None


class FileFormatError(Exception):
    """The file as a whole cannot be read (header not UTF-8, no header, ...)."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.reason = code, reason


class RecordTooLarge(Exception):
    def __init__(self, line: int, limit: int) -> None:
        super().__init__(f"record starting at line {line} is longer than {limit} bytes")


class LineSource:
    """Decoded physical lines of a binary stream, for the csv module.

    Remembers the raw bytes and the first line number of the record being read,
    and whether any of its bytes were not UTF-8. Lines can be given back
    (`read_again`) so that a broken record spanning several lines costs only its
    first line: reading resumes at the line after it.
    """

    def __init__(self, stream: BinaryIO, max_bytes: int) -> None:
        self._stream = stream
        self._max = max_bytes
        self.line_no = 0
        self.pending: list[bytes] = []
        self.pending_bytes = 0
        self.not_utf8 = False
        self._again: list[tuple[int, bytes]] = []  # (line number, bytes), last read first

    def read_again(self, first_line_no: int, lines: list[bytes]) -> None:
        """These lines (numbered from first_line_no) are read again before the stream."""
        numbered = [(first_line_no + i, raw) for i, raw in enumerate(lines)]
        self._again.extend(reversed(numbered))

    def _next_raw(self) -> bytes:
        if self._again:
            self.line_no, raw = self._again.pop()
            return raw
        raw = self._stream.readline(self._max + 1)
        if raw:
            self.line_no += 1
        return raw

    def start_record(self) -> None:
        self.pending, self.pending_bytes, self.not_utf8 = [], 0, False

    @property
    def record_line(self) -> int:
        return self.line_no - len(self.pending) + 1

    def record_bytes(self) -> bytes:
        return b"".join(self.pending)

    def __iter__(self) -> LineSource:
        return self

    def __next__(self) -> str:
        raw = self._next_raw()
        if not raw:
            raise StopIteration
        if self.line_no == 1 and raw.startswith(UTF8_BOM):
            raw = raw[len(UTF8_BOM):]
        self.pending.append(raw)
        self.pending_bytes += len(raw)
        if self.pending_bytes > self._max:
            if not raw.endswith(b"\n") and len(raw) > self._max:
                self._skip_rest_of_line()
            raise RecordTooLarge(self.record_line, self._max)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.not_utf8 = True
            return raw.decode("utf-8", "surrogateescape")

    def _skip_rest_of_line(self) -> None:
        while True:
            chunk = self._stream.readline(_SKIP_CHUNK)
            if not chunk or chunk.endswith(b"\n"):
                return


def first_line(stream: BinaryIO, max_bytes: int) -> str:
    """The start of the first line as text; FileFormatError when it is not UTF-8.

    A first line over the limit is not a file-level problem: the reader reports it
    as one unreadable record, like any other over-long line.
    """
    raw = stream.readline(max_bytes + 1)
    complete = len(raw) <= max_bytes
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM):]
    if b"\x00" in raw:
        raise FileFormatError("not_utf8", "the first line holds NUL bytes (UTF-16 or binary?)")
    try:  # a cut line may end inside a character: only a complete line must end cleanly
        return codecs.getincrementaldecoder("utf-8")().decode(raw, final=complete)
    except UnicodeDecodeError as exc:
        raise FileFormatError("not_utf8", f"the first line is not UTF-8: {exc}") from None
