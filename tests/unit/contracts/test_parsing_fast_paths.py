"""Shortcuts in the parsers give the results (and errors) of the general code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from contracts.parsing import (
    _DECIMAL_TEXT,
    _MAX_NUMBER_TEXT,
    _bounded,
    _decimal_from_text,
    parse_decimal,
)
from tests.unit.contracts.strategies import MODEST


def _outcome(parse: Any, text: str) -> tuple[str, str]:
    try:
        return "ok", str(parse(text))
    except Exception as exc:
        return type(exc).__name__, str(exc)


def _general(text: str) -> Decimal:
    return _bounded(_decimal_from_text(text, text, allow_exponent=False), text)


_TEXTS = st.from_regex(_DECIMAL_TEXT, fullmatch=True).filter(lambda t: len(t) <= _MAX_NUMBER_TEXT)


@MODEST
@given(text=_TEXTS | st.sampled_from(["19.90", "0.000", "-0", ".5", "5.", "+1.0000000000000",
                                      "99999999999999999.9", "999999999999999999", "0" * 40]))
def test_decimal_text_parses_as_the_general_code_does(text: str) -> None:
    assert _outcome(parse_decimal, text) == _outcome(_general, text)
