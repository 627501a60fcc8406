"""Dependencies the routes declare through `Annotated` aliases."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Annotated

import psycopg
from fastapi import Depends, Query, Request, Response, Security
from fastapi.security import APIKeyHeader
from psycopg_pool import ConnectionPool

from services.dashboard_api.caching import apply_etag, build_token, make_etag, pipeline_token
from services.dashboard_api.params import DateRange, IsoDate, resolve_range
from services.dashboard_api.problems import ProblemError
from shopflow.runtime.settings import Settings

POOL_TIMEOUT_S = 5.0


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_pool(request: Request) -> ConnectionPool:
    pool: ConnectionPool = request.app.state.pool
    return pool


def get_conn(request: Request) -> Iterator[psycopg.Connection]:
    """A pooled connection (API role, autocommit) for the length of the request."""
    with get_pool(request).connection(timeout=POOL_TIMEOUT_S) as conn:
        yield conn


ConnDep = Annotated[psycopg.Connection, Depends(get_conn)]


def warehouse_etag(request: Request, response: Response, conn: ConnDep) -> None:
    apply_etag(request, response, make_etag("warehouse", build_token(conn)))


def pipeline_etag(request: Request, response: Response, conn: ConnDep) -> None:
    apply_etag(request, response,
               make_etag("pipeline", build_token(conn), pipeline_token(conn)))


def last_warehouse_date(conn: ConnDep) -> date | None:
    """The last date in the warehouse (latest order date); None while it is empty."""
    row = conn.execute("SELECT as_of_date FROM marts.warehouse_as_of").fetchone()
    return row[0] if row else None


LastDateDep = Annotated[date | None, Depends(last_warehouse_date)]


def date_range(
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


_API_KEY_HEADER = APIKeyHeader(name="X-API-Key", auto_error=False,
                               description="The API key (SHOPFLOW_API_KEY)")


def require_api_key(
    settings: SettingsDep, x_api_key: Annotated[str | None, Security(_API_KEY_HEADER)] = None,
) -> None:
    expected = settings.api_key.get_secret_value().encode()
    given = (x_api_key or "").encode()
    # Constant time, so the key cannot be guessed byte by byte from response times.
    if not x_api_key or not hmac.compare_digest(given, expected):
        raise ProblemError(401, "unauthorized", "a valid X-API-Key header is required",
                           headers={"WWW-Authenticate": 'ApiKey header="X-API-Key"'})


ApiKeyDep = Depends(require_api_key)
