"""GET /api/v1/dead-letters[/summary]: the dead-letter ledger, filtered and paged."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Query

from contracts import ErrorCode
from services.dashboard_api.api.routes.common import PIPELINE_ETAG, pipeline_router
from services.dashboard_api.db import fetch_all
from services.dashboard_api.deps import ConnDep, require_dead_letters
from services.dashboard_api.paging import CursorQuery, decode_cursor, encode_cursor, split_page
from services.dashboard_api.schemas.pipeline import (
    CodeCount,
    DeadLetterList,
    DeadLetterOut,
    DeadLetterSummary,
    EntityName,
)
from shopflow.dlq import DeadLetter, Identity, LetterFilter, list_dead_letters

router = pipeline_router("pipeline", etag=False)

_BY_CODE = """
SELECT code, entity, count(*) AS letters
FROM ops.dead_letters, unnest(codes) AS code
WHERE resolved_at IS NULL
GROUP BY code, entity
ORDER BY count(*) DESC, code, entity
"""


def _text(raw: bytes | None) -> str | None:
    return raw.decode("utf-8", errors="replace") if raw is not None else None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN/Infinity would not serialize back


def _as_json(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None


def letter_out(letter: DeadLetter) -> DeadLetterOut:
    payload = _text(letter.payload)
    return DeadLetterOut(
        batch_id=letter.identity.batch_id, source_file=letter.identity.source_file,
        line_number=letter.identity.line_number, entity=letter.entity, codes=letter.codes,
        errors=letter.errors, contract_version=letter.contract_version,
        attempt=letter.attempt, first_failed_at=letter.first_failed_at,
        last_failed_at=letter.last_failed_at, resolved_at=letter.resolved_at,
        replay_id=letter.replay_id, original_topic=letter.original_topic,
        original_partition=letter.original_partition,
        original_offset=letter.original_offset, key=_text(letter.record_key),
        payload=payload, payload_json=_as_json(payload))


@router.get("/dead-letters", response_model=DeadLetterList, summary="Dead letters",
            dependencies=[Depends(require_dead_letters), PIPELINE_ETAG])
def get_dead_letters(
    conn: ConnDep,
    entity: Annotated[EntityName | None, Query(description="Only this entity")] = None,
    batch_id: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    error_code: Annotated[list[ErrorCode] | None, Query(
        description="Only letters with any of these error codes (repeatable)")] = None,
    include_resolved: Annotated[bool, Query(
        description="Also letters a replay has resolved")] = False,
    limit: Annotated[int, Query(ge=1, le=500, description="Letters per page")] = 50,
    cursor: CursorQuery = None,
) -> DeadLetterList:
    """Dead-lettered records with their errors and original payload, ordered by
    batch, file and line. Needs a key with the scope `deadletters:read` (payloads hold
    personal data); the per-code summary does not."""
    codes = tuple(sorted(str(code) for code in error_code or ()))
    filters = {"entity": entity, "batch_id": batch_id, "codes": codes,
               "include_resolved": include_resolved}
    after = decode_cursor(cursor, "dead-letters", filters, (str, str, int))
    letters = list_dead_letters(conn, LetterFilter(
        entity=entity, batch_id=batch_id, codes=codes, include_resolved=include_resolved,
        limit=limit + 1, after=Identity(*after) if after else None))
    page, more = split_page(letters, limit)
    next_cursor = (encode_cursor("dead-letters", filters, list(page[-1].identity))
                   if more else None)
    return DeadLetterList(items=[letter_out(letter) for letter in page], has_more=more,
                          next_cursor=next_cursor)


@router.get("/dead-letters/summary", response_model=DeadLetterSummary,
            summary="Open dead letters per error code", dependencies=[PIPELINE_ETAG])
def get_dead_letter_summary(conn: ConnDep) -> DeadLetterSummary:
    """Unresolved dead letters counted per error code and entity (a letter with two
    codes counts under both)."""
    rows = fetch_all(conn, _BY_CODE)
    total = conn.execute(
        "SELECT count(*) FROM ops.dead_letters WHERE resolved_at IS NULL").fetchone()
    return DeadLetterSummary(open_letters=total[0] if total else 0,
                             by_code=[CodeCount(**r) for r in rows])
