"""Dependencies the routes declare through `Annotated` aliases.

Those that do no I/O are `async def`: FastAPI runs a plain `def` dependency in a
worker thread, and those hand-offs were most of a request's time (decision 0074).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Annotated

import psycopg
from fastapi import Depends, Query, Request, Response, Security
from fastapi.security import APIKeyHeader
from psycopg_pool import ConnectionPool
from starlette.concurrency import run_in_threadpool

from services.dashboard_api.auth import (
    ANONYMOUS,
    HEADER,
    Caller,
    identify,
    metrics_need_key,
    refuse,
)
from services.dashboard_api.caching import (
    WarehouseState,
    apply_etag,
    build_token,
    make_etag,
    pipeline_token,
    warehouse_state,
)
from services.dashboard_api.db import borrow, give_back
from services.dashboard_api.openapi_security import METRICS_MARKER, SCOPE_MARKER
from services.dashboard_api.params import DateRange, IsoDate, resolve_range
from shopflow.access import Scope
from shopflow.runtime.settings import Settings

POOL_TIMEOUT_S = 5.0


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_pool(request: Request) -> ConnectionPool:
    pool: ConnectionPool = request.app.state.pool
    return pool


async def get_conn(request: Request) -> AsyncIterator[psycopg.Connection]:
    """A pooled connection (API role, autocommit) for the length of the request."""
    pool: ConnectionPool = request.app.state.pool
    conn = await borrow(pool, POOL_TIMEOUT_S)
    try:
        yield conn
    finally:
        await give_back(pool, conn)


ConnDep = Annotated[psycopg.Connection, Depends(get_conn)]


async def get_primary_conn(request: Request) -> AsyncIterator[psycopg.Connection]:
    """A connection to the primary, for requests that write (the same pool as get_conn
    unless SHOPFLOW_API_PRIMARY_DATABASE_URL sends reads to a replica)."""
    pool: ConnectionPool = request.app.state.primary_pool
    conn = await borrow(pool, POOL_TIMEOUT_S)
    try:
        yield conn
    finally:
        await give_back(pool, conn)


PrimaryConnDep = Annotated[psycopg.Connection, Depends(get_primary_conn)]


def current_warehouse_state(conn: ConnDep) -> WarehouseState:
    return warehouse_state(conn)


WarehouseStateDep = Annotated[WarehouseState, Depends(current_warehouse_state)]


async def warehouse_etag(request: Request, response: Response,
                         state: WarehouseStateDep) -> None:
    apply_etag(request, response, make_etag("warehouse", state.build_token))


def pipeline_etag(request: Request, response: Response, conn: ConnDep) -> None:
    apply_etag(request, response,
               make_etag("pipeline", build_token(conn), pipeline_token(conn)))


async def last_warehouse_date(state: WarehouseStateDep) -> date | None:
    """The last date in the warehouse (latest order date); None while it is empty."""
    return state.last_date


LastDateDep = Annotated[date | None, Depends(last_warehouse_date)]


async def date_range(
    settings: SettingsDep, last_date: LastDateDep,
    start: Annotated[IsoDate | None, Query(
        description="First day (UTC, inclusive), YYYY-MM-DD. Default: 29 days before end.")
    ] = None,
    end: Annotated[IsoDate | None, Query(
        description="Last day (UTC, inclusive), YYYY-MM-DD. Default: the last date in the"
                    " warehouse (or 29 days after start).")] = None,
) -> DateRange:
    return resolve_range(start, end, last_date, datetime.now(UTC).date(),
                         settings.api_max_range_days)


RangeDep = Annotated[DateRange, Depends(date_range)]


_API_KEY_HEADER = APIKeyHeader(
    name=HEADER, auto_error=False,
    description="An API key from `shopflow keys create` (or SHOPFLOW_API_KEY)")


async def current_caller(
    request: Request, conn: ConnDep, settings: SettingsDep,
    x_api_key: Annotated[str | None, Security(_API_KEY_HEADER)] = None,
) -> Caller:
    """Who sent the request (anonymous without a key); 401 for a bad key."""
    if not x_api_key:
        return ANONYMOUS
    return await run_in_threadpool(identify, conn, settings, x_api_key, request.url.path)


CallerDep = Annotated[Caller, Depends(current_caller)]


def requires(scope: Scope, *, only_beyond_localhost: bool = False
             ) -> Callable[..., Coroutine[None, None, Caller]]:
    """A dependency that lets the call through only with a key carrying `scope`."""

    marker = METRICS_MARKER if only_beyond_localhost else SCOPE_MARKER

    async def dependency(request: Request, caller: CallerDep, settings: SettingsDep,
                         _documents: str | None = Security(marker)) -> Caller:
        """`_documents` only tells the OpenAPI document where the key is required."""
        if only_beyond_localhost and not metrics_need_key(settings):
            return caller
        if caller.allows(scope):
            return caller
        reason = "missing_key" if caller.key_id is None else "missing_scope"
        raise refuse(reason, caller.key_id, request.url.path, scope)

    return dependency


# One alias per scope: declare `caller: CustomersReader` (or list it in `dependencies=`).
# MetricsReader needs a key only where `metrics_need_key` says so (setting
# SHOPFLOW_API_METRICS_REQUIRE_KEY; by default when the API listens beyond localhost).
require_metrics = requires(Scope.METRICS_READ, only_beyond_localhost=True)
MetricsReader = Annotated[Caller, Depends(require_metrics)]
CustomersReader = Annotated[Caller, Depends(requires(Scope.CUSTOMERS_READ))]
require_dead_letters = requires(Scope.DEADLETTERS_READ)
DeadLettersReader = Annotated[Caller, Depends(require_dead_letters)]
DeadLettersReplayer = Annotated[Caller, Depends(requires(Scope.DEADLETTERS_REPLAY))]
