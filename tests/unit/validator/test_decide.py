"""The validator's decision for one raw message never raises and names the reason."""

from __future__ import annotations

import json

from contracts import ErrorCode
from services.validator.checking import decide
from services.validator.headers import attempt_of, provenance, valid_headers
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_PARSE_ERROR,
    H_REPLAY_ID,
)

ORDER = {"order_id": "o1", "customer_id": "c1", "order_ts": "2026-01-01T10:00:00Z",
         "status": "paid", "currency": "EUR"}


def codes(entity: str, value: bytes | None, headers: dict[str, str]) -> list[ErrorCode]:
    return decide(entity, value, headers).outcome.error_codes()


def test_valid_record_with_the_version_it_names() -> None:
    decision = decide("orders", json.dumps(ORDER).encode(), {H_CONTRACT_VERSION: "1"})
    assert decision.outcome.ok and decision.version == "1"


def test_unreadable_inputs_are_unparseable() -> None:
    unparseable = [ErrorCode.UNPARSEABLE]
    assert codes("orders", b"{bad", {}) == unparseable
    assert codes("orders", b"[1, 2]", {}) == unparseable
    assert codes("orders", None, {}) == unparseable
    assert codes("orders", b"\xff\xfe", {}) == unparseable
    assert codes("orders", json.dumps(ORDER).encode(), {H_PARSE_ERROR: "line 3: bad"}) == \
        unparseable


def test_unknown_contract_version_or_entity_is_a_dead_letter_not_a_crash() -> None:
    body = json.dumps(ORDER).encode()
    assert codes("orders", body, {H_CONTRACT_VERSION: "99"}) == [ErrorCode.UNPARSEABLE]
    assert codes("orders", body, {H_CONTRACT_VERSION: "v1"}) == [ErrorCode.UNPARSEABLE]
    assert codes("payments", body, {}) == [ErrorCode.UNPARSEABLE]


def test_field_errors_keep_their_codes() -> None:
    bad = dict(ORDER, status="lost", currency="")
    assert set(codes("orders", json.dumps(bad).encode(), {})) == {
        ErrorCode.INVALID_ENUM, ErrorCode.MISSING_FIELD}


def test_attempts_count_up_from_the_replayed_header() -> None:
    assert attempt_of({}) == 1
    assert attempt_of({H_ERR_ATTEMPT: "3"}) == 4
    assert attempt_of({H_ERR_ATTEMPT: "junk"}) == 1


def test_output_headers_keep_provenance_and_drop_old_errors() -> None:
    incoming = [(H_BATCH_ID, b"b1"), (H_REPLAY_ID, b"r1"), (H_ERR_CODES, b"missing_field"),
                (H_PARSE_ERROR, b"x"), (H_CONTRACT_VERSION, b"7")]
    assert provenance(incoming) == [(H_BATCH_ID, b"b1"), (H_REPLAY_ID, b"r1"),
                                    (H_CONTRACT_VERSION, b"7")]
    assert valid_headers(incoming, 1)[-1] == (H_CONTRACT_VERSION, b"1")
    assert (H_CONTRACT_VERSION, b"7") not in valid_headers(incoming, 1)
