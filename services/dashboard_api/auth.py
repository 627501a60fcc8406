"""Who is calling: the X-API-Key header, checked against the database on every request.

No cache, so a revoked key stops working at the next request. A refusal is counted in
`shopflow_api_auth_failures_total` and logged with the key id, never the key.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from dataclasses import dataclass

import psycopg
from prometheus_client import Counter

from services.dashboard_api.problems import ProblemError
from shopflow.access import ALL_SCOPES, KeyFormatError, Scope, key_scopes, parse_key
from shopflow.runtime.settings import Settings

log = logging.getLogger(__name__)

HEADER = "X-API-Key"
CONFIGURED_KEY_ID = "configured"  # the key id logged for SHOPFLOW_API_KEY
AUTH_FAILURES = Counter(
    "shopflow_api_auth_failures_total",
    "Requests refused: no key, a malformed, unknown or revoked key, or a missing scope",
    ["reason"])


@dataclass(frozen=True)
class Caller:
    key_id: str | None  # None: no key was sent
    scopes: frozenset[Scope]

    def allows(self, scope: Scope) -> bool:
        return scope in self.scopes


ANONYMOUS = Caller(None, frozenset())


def refuse(reason: str, key_id: str | None, path: str, scope: Scope | None = None
           ) -> ProblemError:
    """Count and log a refusal; the problem to raise (401 without a valid key, else 403)."""
    AUTH_FAILURES.labels(reason).inc()
    log.warning("API key refused", extra={"reason": reason, "key_id": key_id, "path": path,
                                          "scope": str(scope) if scope else None})
    if reason == "missing_scope":
        return ProblemError(403, "forbidden", f"this API key lacks the scope {scope}")
    wanted = f" with the scope {scope}" if scope else ""
    return ProblemError(401, "unauthorized", f"a valid {HEADER} header{wanted} is required",
                        headers={"WWW-Authenticate": f'ApiKey header="{HEADER}"'})


def identify(conn: psycopg.Connection, settings: Settings, presented: str | None,
             path: str) -> Caller:
    """The caller behind a presented key; raises a 401 problem for a bad key."""
    if not presented:
        return ANONYMOUS
    if settings.api_key is not None:
        configured = settings.api_key.get_secret_value().encode()
        # Constant time, so the key cannot be guessed byte by byte from response times.
        if hmac.compare_digest(presented.encode(), configured):
            return Caller(CONFIGURED_KEY_ID, ALL_SCOPES)
    try:
        key_id, secret = parse_key(presented)
    except KeyFormatError:
        raise refuse("malformed", None, path) from None
    scopes = key_scopes(conn, key_id, secret)
    if scopes is None:
        raise refuse("unknown_or_revoked", key_id, path)
    return Caller(key_id, scopes)


def metrics_need_key(settings: Settings) -> bool:
    """The setting, or by default: a key is needed unless the API listens on loopback."""
    if settings.api_metrics_require_key is not None:
        return settings.api_metrics_require_key
    host = settings.api_host.strip("[]")
    if host == "localhost":
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name other than localhost: assume it is reachable
        return True
