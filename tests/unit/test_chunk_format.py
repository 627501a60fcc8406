"""The chunk format v1 (contracts/chunk.py): round trips, refusals, and its committed schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.chunk import (
    ChunkError,
    Envelope,
    FileOrigin,
    chunk_json_schema,
    decode_chunk,
    encode_chunk,
    encode_valid_chunk,
    entry_bytes,
    raw_entry,
    valid_entry_bytes,
)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "contracts/schemas/chunk/v1.json"
ORIGIN = FileOrigin("2026-01-31", "orders.csv", "orders", 1, "csv", "ab" * 32)


@given(st.lists(st.tuples(st.integers(1, 2**31 - 1), st.binary(max_size=40),
                          st.none() | st.text(max_size=10)), max_size=20))
def test_raw_records_keep_their_line_key_and_exact_bytes(
        records: list[tuple[int, bytes, str | None]]) -> None:
    entries = [raw_entry(line, None if key is None else key.encode(), value)
               for line, value, key in records]
    chunk = decode_chunk(encode_chunk("raw", ORIGIN, entries))
    assert chunk.kind == "raw" and chunk.origin == ORIGIN
    got = [(e["line"], entry_bytes(e), e.get("key")) for e in chunk.records]
    assert got == [(line, value, key) for line, value, key in records]


def test_valid_chunks_embed_the_canonical_record_as_written() -> None:
    canonical = b'{"order_id":"o-1","shipping_amount":"4.90"}'
    replay = {"replay_id": "r-1", "attempt": 2, "first_failed_at": "2026-01-31T10:00:00Z"}
    value = encode_valid_chunk(ORIGIN, [valid_entry_bytes(2, b"o-1", canonical),
                                        valid_entry_bytes(3, None, canonical, replay)])
    chunk = decode_chunk(value)
    assert chunk.kind == "valid"
    assert [orjson.dumps(e["record"]) for e in chunk.records] == [canonical, canonical]
    first, second = (Envelope.of_entry(chunk.origin, e) for e in chunk.records)
    assert first.identity == ("2026-01-31", "orders.csv", 2) and first.key == b"o-1"
    assert second.replay_id == "r-1" and second.key is None
    jsonschema.validate(json.loads(value), chunk_json_schema())


@pytest.mark.parametrize("value", [
    None, b"", b"not json", b"[]", b'{"v": 2, "kind": "raw", "origin": {}, "records": []}',
    b'{"v": 1, "kind": "raw", "records": []}',
    b'{"v": 1, "kind": "raw", "origin": {"batch_id": "b", "source_file": "f.csv", '
    b'"entity": "orders", "contract_version": 1, "file_format": "csv"}, '
    b'"records": [{"key": "k"}]}',
    b'{"v": 1, "kind": "raw", "origin": {"batch_id": "b", "source_file": "f.csv", '
    b'"entity": "orders", "contract_version": 1, "file_format": "csv"}, '
    b'"records": [{"line": 2147483648, "value": "{}"}]}',  # a line no identity can hold
])
def test_what_is_not_a_version_1_chunk_is_refused_with_chunk_error(value: bytes | None) -> None:
    with pytest.raises(ChunkError):
        decode_chunk(value)


def test_the_committed_schema_is_current() -> None:
    assert json.loads(SCHEMA_FILE.read_text()) == chunk_json_schema(), (
        "regenerate contracts/schemas/chunk/v1.json from contracts.chunk.chunk_json_schema()")
