"""Keyset pagination with opaque cursors.

A cursor is base64url(JSON) of the list it was made for, a fingerprint of the
filters it was made with, and the sort key of the last row sent. Clients must
treat it as opaque; a cursor used on another list or with other filters is a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from services.dashboard_api.problems import bad_request

MAX_LIMIT = 500
CursorQuery = Annotated[str | None, Query(
    max_length=1024, description="Opaque cursor from `next_cursor` of the previous page")]


class Page(BaseModel):
    has_more: bool = Field(description="More rows exist after this page")
    next_cursor: str | None = Field(description="Pass as `cursor` to get the next page")


def _fingerprint(filters: dict[str, Any]) -> str:
    text = json.dumps(filters, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def encode_cursor(listing: str, filters: dict[str, Any], key: Sequence[Any]) -> str:
    body = json.dumps({"l": listing, "f": _fingerprint(filters), "k": list(key)},
                      separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, listing: str, filters: dict[str, Any],
                  types: Sequence[type]) -> list[Any] | None:
    """The sort key a cursor carries, checked against the list, filters and key types."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        body = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = body["k"]
        valid = (isinstance(body, dict) and body.get("l") == listing
                 and isinstance(key, list) and len(key) == len(types)
                 and all(_fits(v, t) for v, t in zip(key, types, strict=True)))
    except (ValueError, KeyError, TypeError, UnicodeError, binascii.Error):
        valid = False
    if not valid:
        raise bad_request("the cursor is not valid for this list", "invalid-cursor")
    if body.get("f") != _fingerprint(filters):
        raise bad_request("the cursor was made with other filters; start again without it",
                          "invalid-cursor")
    return list(key)


def _fits(value: Any, kind: type) -> bool:
    if isinstance(value, bool) or not isinstance(value, kind):
        return False
    if isinstance(value, str):
        return "\x00" not in value
    return not isinstance(value, int) or abs(value) < 2**62


def split_page(rows: list[Any], limit: int) -> tuple[list[Any], bool]:
    """Rows were fetched with limit + 1: cut the extra one and say whether it existed."""
    return rows[:limit], len(rows) > limit
