"""Whatever a chunk entry's envelope holds, its dead letter's headers give it back: the
identity, the replay id, and the replay history one attempt further on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts import ErrorCode, FieldError
from contracts.chunk import Envelope, FileOrigin, ReplayMark
from shopflow.events import H_ERR_ORIG_POSITION, envelope_from_headers, header_map
from shopflow.letters import Where, dead_letter_headers
from tests.unit.contracts.strategies import MODEST

_TEXT = st.text(st.characters(codec="utf-8"), min_size=1, max_size=12)  # no surrogates
_ORIGINS = st.builds(FileOrigin, batch_id=_TEXT, source_file=_TEXT,
                     entity=st.sampled_from(["orders", "clickstream"]),
                     contract_version=st.integers(1, 9),
                     file_format=st.sampled_from(["csv", "jsonl"]),
                     file_sha256=st.none() | st.just("ab" * 32))
_MARKS = st.none() | st.builds(ReplayMark, replay_id=_TEXT, attempt=st.integers(1, 50),
                               first_failed_at=st.just("2026-01-02T03:04:05+00:00"))


@MODEST
@given(origin=_ORIGINS, line=st.integers(1, 2**31 - 1), mark=_MARKS,
       position=st.integers(0, 10_000))
def test_the_envelope_survives_a_dead_letter(origin: FileOrigin, line: int,
                                             mark: ReplayMark | None, position: int) -> None:
    envelope = Envelope(origin, line, b"k", mark)
    errors = [FieldError(ErrorCode.INVALID_ENUM, "status", "bad")]
    headers = header_map(dead_letter_headers(
        envelope, Where("p.raw.orders", 2, 41, position), errors, "2026-02-01T00:00:00+00:00"))
    back = envelope_from_headers(headers)
    assert back.identity == envelope.identity
    assert back.origin == origin
    assert headers[H_ERR_ORIG_POSITION] == str(position)
    if mark is None:
        assert back.replay is None
    else:
        assert back.replay == ReplayMark(replay_id=mark["replay_id"],
                                         attempt=mark["attempt"] + 1,
                                         first_failed_at=mark["first_failed_at"])


def test_the_detail_of_a_record_with_thousands_of_errors_stays_bounded() -> None:
    import json

    from contracts import ErrorCode, FieldError
    from shopflow.letters import MAX_DETAIL_BYTES, bounded_detail

    errors = [FieldError(ErrorCode.UNKNOWN_FIELD, f"extra_{i}" * 3, "x" * 200)
              for i in range(20_000)]
    detail, cut = bounded_detail(errors)
    assert cut and len(detail.encode()) <= MAX_DETAIL_BYTES
    listed = json.loads(detail)
    assert 0 < len(listed) < 20_000 and listed[0]["field"] == "extra_0" * 3
    few, cut_few = bounded_detail(errors[:3])
    assert not cut_few and len(json.loads(few)) == 3
