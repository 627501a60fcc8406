"""The connection pool (API role) and small query helpers returning dict rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from shopflow.runtime.settings import Settings

Params = Sequence[Any] | Mapping[str, Any]

# UTC so dates and truncations mean UTC days; a bound on every statement so one
# heavy request cannot hold a connection for long.
_SESSION_OPTIONS = "-c TimeZone=UTC -c statement_timeout=15000"


def open_pool(settings: Settings, *, min_size: int = 2, max_size: int = 10) -> ConnectionPool:
    """Open without waiting: the API starts (and /health says why) while the DB is down."""
    pool = ConnectionPool(
        settings.database_url_for("api"), min_size=min_size, max_size=max_size, open=False,
        kwargs={"autocommit": True, "options": _SESSION_OPTIONS},
        check=ConnectionPool.check_connection, name="dashboard_api")
    pool.open(wait=False)
    return pool


def fetch_all(conn: psycopg.Connection, query: str, params: Params | None = None
              ) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchall()


def fetch_one(conn: psycopg.Connection, query: str, params: Params | None = None
              ) -> dict[str, Any] | None:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(query, params)
        return cur.fetchone()
