"""The shortcut for plain provenance headers gives the very headers of the general path."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from services.validator.headers import (
    headers_of,
    plain_provenance,
    plain_valid_headers,
    valid_headers,
)
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ERR_ATTEMPT,
    H_ERR_CODES,
    H_LINE,
    H_PARSE_ERROR,
    H_REPLAY_ID,
    H_SOURCE_FILE,
)
from tests.unit.contracts.strategies import MODEST


class _Message:
    def __init__(self, headers: list[tuple[str, bytes | None]]) -> None:
        self._headers = headers

    def headers(self) -> list[tuple[str, bytes | None]]:
        return self._headers


_NAMES = st.sampled_from([H_BATCH_ID, H_SOURCE_FILE, H_LINE, H_CONTRACT_VERSION, H_REPLAY_ID,
                          H_PARSE_ERROR, H_ERR_ATTEMPT, H_ERR_CODES, "shopflow.errors.x",
                          "other"])
_HEADERS = st.lists(st.tuples(_NAMES, st.none() | st.binary(max_size=4)), max_size=8)


@MODEST
@given(raw=_HEADERS, version=st.integers(min_value=1, max_value=12))
def test_plain_headers_give_the_general_result(
        raw: list[tuple[str, bytes | None]], version: int) -> None:
    plain = plain_provenance(raw)
    if plain is None:
        return
    expected = valid_headers(headers_of(_Message(raw)), version)  # type: ignore[arg-type]
    assert plain_valid_headers(plain, version) == expected


def test_what_is_not_plain() -> None:
    line = (H_LINE, b"2")
    plain = plain_provenance([line, (H_CONTRACT_VERSION, b"1")])
    assert plain is not None and plain.by_name == {H_LINE: b"2", H_CONTRACT_VERSION: b"1"}
    assert plain_provenance(None) is None and plain_provenance({H_LINE: b"2"}) is None
    assert plain_provenance([line, line]) is None  # a repeated name
    assert plain_provenance([line, (H_ERR_ATTEMPT, b"2")]) is None  # a replayed dead letter
    assert plain_provenance([line, (H_PARSE_ERROR, b"bad")]) is None
    assert plain_provenance([line, (H_BATCH_ID, None)]) is None  # a null value
    assert plain_provenance([line, ("other", b"x")]) is None
