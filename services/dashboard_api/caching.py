"""ETags tied to what the answer is made of, and 304 Not Modified.

Figures (marts) change only when a warehouse build finishes, so their ETag is the
latest finished build. Pipeline answers (batches, dead letters, quality) also
change between builds, so theirs adds a fingerprint of the ops ledger. See
docs/decisions/0041-etags.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime

import psycopg
from fastapi import Request, Response

# Bump when a representation changes shape, so clients do not keep stale bodies.
REPRESENTATION_VERSION = "1"

_LATEST_BUILD = """
SELECT build_id, status FROM ops.builds
WHERE finished_at IS NOT NULL ORDER BY build_id DESC LIMIT 1"""

_PIPELINE_FINGERPRINT = """
SELECT (SELECT max(updated_at) FROM ops.batches),
       (SELECT max(updated_at) FROM ops.batch_files),
       (SELECT concat_ws(':', max(build_id), max(coalesce(finished_at, started_at)))
          FROM ops.builds),
       (SELECT concat_ws(':', count(*), max(last_failed_at), max(resolved_at),
                         count(resolved_at), sum(attempt)) FROM ops.dead_letters),
       (SELECT max(requested_at) FROM ops.dlq_replays)"""


# The latest finished build and the warehouse's last date in one round trip: every
# figures request needs both (decision 0074).
_WAREHOUSE_STATE = """
SELECT latest.build_id, latest.status, (SELECT as_of_date FROM marts.warehouse_as_of)
FROM (SELECT 1) AS one LEFT JOIN LATERAL (""" + _LATEST_BUILD + """) AS latest ON true"""


@dataclass(frozen=True)
class WarehouseState:
    build_token: str
    last_date: date | None  # None while the warehouse is empty


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


def _token(build_id: object, status: object) -> str:
    if build_id is None:
        # No build yet: default date ranges follow today's date, so does the tag.
        return f"none:{datetime.now(UTC).date().isoformat()}"
    return f"{build_id}:{status}"


def build_token(conn: psycopg.Connection) -> str:
    row = conn.execute(_LATEST_BUILD).fetchone()
    return _token(*row) if row else _token(None, None)


def warehouse_state(conn: psycopg.Connection) -> WarehouseState:
    row = conn.execute(_WAREHOUSE_STATE).fetchone()
    assert row is not None  # the outer query always has its one row
    return WarehouseState(_token(row[0], row[1]), row[2])


def pipeline_token(conn: psycopg.Connection) -> str:
    row = conn.execute(_PIPELINE_FINGERPRINT).fetchone()
    return "|".join(str(value) for value in (row or ()))


def make_etag(*parts: str) -> str:
    digest = hashlib.sha256("|".join((REPRESENTATION_VERSION, *parts)).encode()).hexdigest()
    return f'"{digest[:20]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of If-None-Match against our tag."""
    if not if_none_match:
        return False
    candidates = [tag.strip() for tag in if_none_match.split(",")]
    return any(tag == "*" or tag.removeprefix("W/") == etag for tag in candidates)


def apply_etag(request: Request, response: Response, etag: str) -> None:
    """Answer 304 if the client has this version, else label the response with it."""
    if matches(request.headers.get("if-none-match"), etag):
        raise NotModified(etag)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "no-cache"


async def on_not_modified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotModified)
    return Response(status_code=304, headers={"ETag": exc.etag, "Cache-Control": "no-cache"})
