"""The connection pool (API role), borrowing from it, and query helpers returning dict rows."""

from __future__ import annotations

import time
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool

from shopflow.runtime.settings import Settings

Params = Sequence[Any] | Mapping[str, Any]

# UTC so dates and truncations mean UTC days; a bound on every statement so one
# heavy request cannot hold a connection for long.
_SESSION_OPTIONS = "-c TimeZone=UTC -c statement_timeout=15000"

# A connection used less than this long ago is handed out without a round trip to
# check it (decision 0074): the check cost a query per request; a connection idle
# for longer (perhaps across a database restart) is still checked.
RECHECK_IDLE_AFTER_S = 2.0
_returned_at: weakref.WeakKeyDictionary[psycopg.Connection, float] = weakref.WeakKeyDictionary()


def check_when_idle(conn: psycopg.Connection) -> None:
    if time.monotonic() - _returned_at.get(conn, 0.0) > RECHECK_IDLE_AFTER_S:
        ConnectionPool.check_connection(conn)


def open_pool(settings: Settings, *, min_size: int = 2, max_size: int = 10,
              url: str | None = None, name: str = "dashboard_api") -> ConnectionPool:
    """Open without waiting: the API starts (and /health says why) while the DB is down.
    `url`: another database than the API's reads (the primary, for writes)."""
    pool = ConnectionPool(
        url or settings.database_url_for("api"), min_size=min_size, max_size=max_size,
        open=False, kwargs={"autocommit": True, "options": _SESSION_OPTIONS},
        check=check_when_idle, name=name)
    pool.open(wait=False)
    return pool


async def borrow(pool: ConnectionPool, timeout: float) -> psycopg.Connection:
    """A connection for one request; waiting for it (and checking it) off the event loop."""
    return await run_in_threadpool(pool.getconn, timeout)


async def give_back(pool: ConnectionPool, conn: psycopg.Connection) -> None:
    """Return it to the pool: on the event loop when that is only bookkeeping (no
    transaction to roll back), else in a worker thread."""
    _returned_at[conn] = time.monotonic()
    if conn.info.transaction_status == TransactionStatus.IDLE:
        pool.putconn(conn)
    else:
        await run_in_threadpool(pool.putconn, conn)


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
