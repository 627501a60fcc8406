"""The validator's decision for one raw chunk entry never raises and names the reason; a dead
letter's headers carry the record's envelope, why it failed and where its chunk was."""

from __future__ import annotations

import json

from contracts import ErrorCode, FieldError
from contracts.chunk import Envelope, FileOrigin, RecordEntry, ReplayMark, raw_entry
from services.validator.checking import decide
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ENTITY,
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_ERR_CONTRACT_VERSION,
    H_ERR_DETAIL,
    H_ERR_FIELD,
    H_ERR_FIRST_FAILED_AT,
    H_ERR_MESSAGE,
    H_ERR_ORIG_OFFSET,
    H_ERR_ORIG_PARTITION,
    H_ERR_ORIG_POSITION,
    H_ERR_ORIG_TOPIC,
    H_FILE_HASH,
    H_FORMAT,
    H_LINE,
    H_PARSE_ERROR,
    H_REPLAY_ID,
    H_SOURCE_FILE,
    envelope_from_headers,
    header_map,
)
from shopflow.letters import Where, attempt_of, dead_letter_headers

ORDER = {"order_id": "o1", "customer_id": "c1", "order_ts": "2026-01-01T10:00:00Z",
         "status": "paid", "currency": "EUR"}
ORIGIN = FileOrigin("b1", "orders.csv", "orders", 1, "csv", "ab" * 32)
NOW = "2026-02-01T00:00:00.123000+00:00"


def entry(value: bytes, line: int = 2, **extra: object) -> RecordEntry:
    made = raw_entry(line, b"o1", value)
    made.update(extra)  # type: ignore[typeddict-item]
    return made


def codes(entity: str, item: RecordEntry, version: int | None = 1) -> list[ErrorCode]:
    return decide(entity, item, version).error_codes()


def test_a_valid_record_is_validated_against_the_version_its_chunk_names() -> None:
    outcome = decide("orders", entry(json.dumps(ORDER).encode()), 1)
    assert outcome.ok and outcome.model is not None and outcome.model.VERSION == 1
    assert decide("orders", entry(json.dumps(ORDER).encode()), None).ok  # the latest


def test_unreadable_entries_are_unparseable() -> None:
    unparseable = [ErrorCode.UNPARSEABLE]
    assert codes("orders", entry(b"{bad")) == unparseable
    assert codes("orders", entry(b"[1, 2]")) == unparseable
    assert codes("orders", entry(b"\xff\xfe")) == unparseable  # value_b64, no text
    assert codes("orders", RecordEntry(line=5, key=None)) == unparseable  # no value at all
    read_error = entry(json.dumps(ORDER).encode(), error="line 3: bad")
    outcome = decide("orders", read_error, 1)
    assert outcome.error_codes() == unparseable
    assert outcome.errors[0].message == "line 3: bad"  # the ingestor's reason, kept


def test_unknown_contract_version_or_entity_is_a_dead_letter_not_a_crash() -> None:
    body = entry(json.dumps(ORDER).encode())
    assert codes("orders", body, 99) == [ErrorCode.UNPARSEABLE]
    assert "unknown version 99" in decide("orders", body, 99).errors[0].message
    assert codes("payments", body) == [ErrorCode.UNPARSEABLE]


def test_field_errors_keep_their_codes() -> None:
    bad = dict(ORDER, status="lost", currency="")
    assert set(codes("orders", entry(json.dumps(bad).encode()))) == {
        ErrorCode.INVALID_ENUM, ErrorCode.MISSING_FIELD}


def test_attempts_count_up_from_the_replay_mark() -> None:
    assert attempt_of(Envelope(ORIGIN, 2)) == 1
    mark = ReplayMark(replay_id="r1", attempt=3, first_failed_at="2026-01-02T03:04:05+00:00")
    assert attempt_of(Envelope(ORIGIN, 2, b"o1", mark)) == 4


WHERE = Where("p.raw.orders", 2, 41, 0)




ERRORS = [FieldError(ErrorCode.INVALID_ENUM, "status", "status 'lost' is not allowed"),
          FieldError(ErrorCode.MISSING_FIELD, "currency", "currency is required"),
          FieldError(ErrorCode.INVALID_ENUM, "channel", "channel 'x' is not allowed")]


def test_dead_letter_headers_carry_the_envelope_the_errors_and_the_chunk_position() -> None:
    envelope = Envelope(ORIGIN, 7, b"o7")
    raw = dead_letter_headers(envelope, Where("p.raw.orders", 2, 41, 3), ERRORS, NOW)
    assert all(isinstance(v, bytes) for _, v in raw)
    h = header_map(raw)
    assert len(h) == len(raw)  # no header twice
    assert (h[H_BATCH_ID], h[H_SOURCE_FILE], h[H_LINE]) == ("b1", "orders.csv", "7")
    assert (h[H_ENTITY], h[H_CONTRACT_VERSION], h[H_FORMAT], h[H_FILE_HASH]) == (
        "orders", "1", "csv", "ab" * 32)
    assert H_REPLAY_ID not in h and H_PARSE_ERROR not in h
    assert h[H_ERR_CODES] == "invalid_enum,missing_field"  # each code once, in order
    assert (h[H_ERR_FIELD], h[H_ERR_MESSAGE]) == ("status", "status 'lost' is not allowed")
    assert [d["field"] for d in json.loads(h[H_ERR_DETAIL])] == ["status", "currency", "channel"]
    assert h[H_ERR_CONTRACT_VERSION] == "1"
    assert (h[H_ERR_ORIG_TOPIC], h[H_ERR_ORIG_PARTITION], h[H_ERR_ORIG_OFFSET],
            h[H_ERR_ORIG_POSITION]) == ("p.raw.orders", "2", "41", "3")
    assert (h[H_ERR_ATTEMPT], h[H_ERR_FIRST_FAILED_AT]) == ("1", NOW)
    assert envelope_from_headers(h).identity == envelope.identity


def test_a_replayed_record_failing_again_keeps_its_history() -> None:
    mark = ReplayMark(replay_id="replay-1", attempt=2,
                      first_failed_at="2026-01-02T03:04:05+00:00")
    envelope = Envelope(ORIGIN, 8, b"o8", mark)
    raw = dead_letter_headers(envelope, WHERE, ERRORS[:1], NOW)
    h = header_map(raw)
    assert (h[H_REPLAY_ID], h[H_ERR_ATTEMPT]) == ("replay-1", "3")
    assert h[H_ERR_FIRST_FAILED_AT] == "2026-01-02T03:04:05+00:00"
    again = envelope_from_headers(h)  # what the next replay reads back
    assert again.replay == ReplayMark(replay_id="replay-1", attempt=3,
                                      first_failed_at="2026-01-02T03:04:05+00:00")


def test_header_text_that_is_not_utf8_safe_is_escaped_not_dropped() -> None:
    errors = [FieldError(ErrorCode.INVALID_TYPE, "name", "bad \udcff surrogate")]
    raw = dead_letter_headers(Envelope(ORIGIN, 9), WHERE, errors, NOW)
    assert dict(raw)[H_ERR_MESSAGE] == b"bad \\udcff surrogate"
