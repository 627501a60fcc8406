"""API keys: `sfk_<key_id>_<secret>`, shown once; the database keeps SHA-256(secret).

The key id is public (it names the key in logs and in `shopflow keys list`); the secret
is 256 random bits, so a fast hash cannot be reversed (decision 0061).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg

from shopflow.access.scopes import Scope

PREFIX = "sfk"
_KEY = re.compile(r"^sfk_(?P<key_id>[0-9a-f]{12})_(?P<secret>[A-Za-z0-9_-]{43})$")


class KeyFormatError(ValueError):
    """The text is not a ShopFlow API key (wrong shape); says nothing of the secret."""


@dataclass(frozen=True)
class IssuedKey:
    key_id: str
    key: str  # the full key: print it once, it is not stored


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    created_by: str
    revoked_at: datetime | None


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("ascii")).digest()


def parse_key(key: str) -> tuple[str, str]:
    """(key_id, secret) of a well-formed key."""
    match = _KEY.match(key)
    if match is None:
        raise KeyFormatError("not a ShopFlow API key (expected sfk_<12 hex>_<43 chars>)")
    return match["key_id"], match["secret"]


def create_key(conn: psycopg.Connection, name: str, scopes: Iterable[Scope]) -> IssuedKey:
    wanted = sorted({Scope(scope) for scope in scopes})
    if not wanted:
        raise ValueError("a key needs at least one scope")
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    conn.execute(
        "INSERT INTO access.api_keys (key_id, name, scopes, secret_sha256)"
        " VALUES (%s, %s, %s, %s)", (key_id, name, [str(s) for s in wanted], _digest(secret)))
    return IssuedKey(key_id, f"{PREFIX}_{key_id}_{secret}")


def list_keys(conn: psycopg.Connection, include_revoked: bool = False) -> list[ApiKey]:
    rows = conn.execute(
        "SELECT key_id, name, scopes, created_at, created_by, revoked_at FROM access.api_keys"
        " WHERE %s OR revoked_at IS NULL ORDER BY created_at, key_id", (include_revoked,))
    return [ApiKey(r[0], r[1], tuple(Scope(s) for s in r[2]), r[3], r[4], r[5]) for r in rows]


def revoke_key(conn: psycopg.Connection, key_id: str) -> bool:
    """Revoke at once (the API looks every key up per request); False if no active key."""
    row = conn.execute(
        "UPDATE access.api_keys SET revoked_at = now() WHERE key_id = %s"
        " AND revoked_at IS NULL RETURNING key_id", (key_id,)).fetchone()
    return row is not None


def key_scopes(conn: psycopg.Connection, key_id: str, secret: str) -> frozenset[Scope] | None:
    """The scopes of an active key whose secret matches; None otherwise."""
    row = conn.execute("SELECT access.key_scopes(%s, %s)",
                       (key_id, _digest(secret))).fetchone()
    if row is None or row[0] is None:
        return None
    known = {scope.value for scope in Scope}
    return frozenset(Scope(s) for s in row[0] if s in known)
