"""Streaming CSV reader (RFC 4180, header row, fields may contain newlines)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

import orjson

from shopflow.ingest.readers import (
    PREVIEW_BYTES,
    FileFormatError,
    LineSource,
    Record,
    RecordTooLarge,
)


class CsvFile:
    """Reads the header on construction (FileFormatError if it is unusable), then records."""

    def __init__(self, stream: BinaryIO, max_record_bytes: int) -> None:
        self._lines = LineSource(stream, max_record_bytes)
        self._max_record_bytes = max_record_bytes
        self._reader = csv.reader(self._lines, strict=True)
        self.header = self._read_header()

    def _read_header(self) -> list[str]:
        try:
            header = next(self._reader)
        except StopIteration:
            raise FileFormatError("schema_drift", "the file is empty: no header row") from None
        except RecordTooLarge as exc:
            raise FileFormatError("too_large", f"header: {exc}") from None
        except csv.Error as exc:
            raise FileFormatError("schema_drift", f"the header is not valid CSV: {exc}") from None
        if self._lines.not_utf8:
            raise FileFormatError("not_utf8", "the header row is not UTF-8")
        if any("\x00" in name for name in header):
            raise FileFormatError("not_utf8", "the header holds NUL bytes (UTF-16 or binary?)")
        if not header:
            raise FileFormatError("schema_drift", "the first line is empty: no header row")
        return header

    def __iter__(self) -> Iterator[Record]:
        lines, header, width = self._lines, self.header, len(self.header)
        while True:
            lines.start_record()
            try:
                row = next(self._reader)
            except StopIteration:
                if lines.pending:  # a quote left open until the end of the file
                    yield self._broken("malformed CSV: unexpected end of data")
                return
            except RecordTooLarge as exc:
                yield self._broken(str(exc))
                continue
            except csv.Error as exc:
                yield self._broken(f"malformed CSV: {exc}")
                continue
            if not row:
                continue  # a blank line is not a record
            if len(row) != width:
                yield self._broken(f"the row has {len(row)} cells, the header {width}")
            elif lines.not_utf8:
                yield self._unreadable("the row holds bytes that are not UTF-8",
                                       lines.record_bytes())
            else:
                mapping = dict(zip(header, row, strict=True))
                yield Record(lines.record_line, orjson.dumps(mapping), mapping)

    def _broken(self, reason: str) -> Record:
        """A record that does not parse costs only itself: when it spans several lines
        (a stray quote swallowed the next ones), only its first line is unreadable and
        reading resumes at the line after it."""
        lines = self._lines
        first, rest = lines.pending[:1], lines.pending[1:]
        if rest:
            lines.read_again(lines.record_line + 1, rest)
            reason = f"{reason}; only the first line is taken, reading resumes at line " \
                     f"{lines.record_line + 1}"
        raw = b"".join(first)
        if len(raw) > self._max_record_bytes:
            raw = raw[:PREVIEW_BYTES]  # one physical line over the limit: its start only
        return self._unreadable(reason, raw)

    def _unreadable(self, reason: str, raw: bytes) -> Record:
        line = self._lines.record_line
        return Record(line, raw, None, f"line {line}: {reason}")
