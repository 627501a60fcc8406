"""Text is data: quotes, emoji, SQL-looking text and newlines pass unchanged."""

from __future__ import annotations

import json

import pytest

from contracts import ErrorCode, canonical, canonical_json, validate_record

TRICKY_TEXT = [
    'She said "great" and left',
    "O'Brien",
    "'; DROP TABLE x; --",
    "Robert'); DROP TABLE students;--",
    "first line\nsecond line\r\nthird",
    "emoji 🎉👍🏽 and ünïcödé",
    "  padded  ",
    "tab\tseparated,comma;semicolon",
    "<script>alert(1)</script>",
    "{not: json}",
    "   ",
]


def _review(body: str) -> dict[str, str]:
    return {
        "review_id": "r1",
        "order_id": "o1",
        "rating": "5",
        "review_ts": "2026-03-01T10:15:00Z",
        "title": body,
        "body": body,
    }


@pytest.mark.parametrize("text", TRICKY_TEXT)
def test_free_text_is_kept_verbatim(text: str) -> None:
    outcome = validate_record("reviews", _review(text))
    assert outcome.model is not None, outcome.errors
    assert outcome.model.body == text  # type: ignore[attr-defined]
    assert canonical(outcome.model)["title"] == text
    assert json.loads(canonical_json(outcome.model))["body"] == text


@pytest.mark.parametrize("text", [t for t in TRICKY_TEXT if t.strip()])
def test_ids_and_names_are_kept_verbatim(text: str) -> None:
    record = {
        "campaign_id": text,
        "name": text,
        "start_date": "2026-03-01",
        "end_date": "2026-03-31",
    }
    outcome = validate_record("campaigns", record)
    assert outcome.model is not None, outcome.errors
    assert canonical(outcome.model)["campaign_id"] == text
    assert canonical(outcome.model)["name"] == text


def test_canonical_json_is_utf8_without_escapes() -> None:
    outcome = validate_record("reviews", _review("emoji 🎉 “quotes”"))
    assert outcome.model is not None
    assert "🎉 “quotes”".encode() in canonical_json(outcome.model)


@pytest.mark.parametrize("text", ["nul \x00 inside", "lone \ud800 surrogate"])
def test_text_that_cannot_be_stored_is_rejected(text: str) -> None:
    outcome = validate_record("reviews", _review(text))
    assert {(e.code, e.field) for e in outcome.errors} == {
        (ErrorCode.INVALID_FORMAT, "title"),
        (ErrorCode.INVALID_FORMAT, "body"),
    }
