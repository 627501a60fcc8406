"""CSV for every list and report endpoint, from one place: `with_csv(router)`.

Each GET route under /api/v1 gets a `format` query parameter (json or csv); `csv`,
or an Accept header preferring text/csv, answers the same response as streamed CSV
(services/dashboard_api/csv_rows.py says how a model becomes rows). A paged list is
exported whole from the requested position: the endpoint is called again with each
`next_cursor`, page after page, while the CSV streams. Filters and validation are the
route's own, so errors stay problem+json.
"""

from __future__ import annotations

import csv
import inspect
import io
import logging
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal

import psycopg
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

from services.dashboard_api.csv_rows import cell, response_rows
from services.dashboard_api.deps import POOL_TIMEOUT_S, get_pool

log = logging.getLogger(__name__)

CSV_TYPE = "text/csv; charset=utf-8"
_FORMAT_PARAM = "csv_output_format"
_REQUEST_PARAM = "csv_request"
_RESPONSE_PARAM = "csv_response"
FormatQuery = Annotated[Literal["json", "csv"] | None, Query(
    alias="format", description="`csv` for CSV (or send `Accept: text/csv`); default JSON")]
CSV_RESPONSE: dict[str, Any] = {"text/csv": {"schema": {"type": "string"}}}


def wants_csv(chosen: str | None, accept: str | None) -> bool:
    """`format` decides; without it, an Accept header ranking text/csv above JSON."""
    if chosen is not None:
        return chosen == "csv"
    ranks = dict(_media_ranks(accept or ""))
    return ranks.get("text/csv", 0.0) > max(ranks.get("application/json", 0.0),
                                            ranks.get("*/*", 0.0) - 0.001)


def _media_ranks(accept: str) -> Iterator[tuple[str, float]]:
    for position, part in enumerate(accept.split(",")):
        media, *params = [piece.strip() for piece in part.split(";")]
        quality = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        yield media.lower(), quality - position * 1e-6  # earlier wins a tie


def _encode(rows: list[dict[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[cell(row.get(column)) for column in columns] for row in rows])
    return buffer.getvalue()


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    return list(seen)


def _later_pages(request: Request, endpoint: Callable[..., Any], kwargs: dict[str, Any],
                 cursor: str | None) -> Iterator[BaseModel]:
    """The following pages, each on a pooled connection of its own (the request's may
    already be back in the pool while the body streams)."""
    while cursor is not None:
        with get_pool(request).connection(timeout=POOL_TIMEOUT_S) as conn:
            fresh = {k: conn if isinstance(v, psycopg.Connection) else v
                     for k, v in kwargs.items()}
            page = endpoint(**{**fresh, "cursor": cursor})
        yield page
        cursor = getattr(page, "next_cursor", None)


def csv_stream(request: Request, endpoint: Callable[..., Any], kwargs: dict[str, Any],
               first: BaseModel) -> Iterator[str]:
    rows = list(response_rows(first))
    columns = _columns(rows) or ["list"]
    yield _encode([{c: c for c in columns}], columns) + _encode(rows, columns)
    try:
        for page in _later_pages(request, endpoint, kwargs, getattr(first, "next_cursor", None)):
            yield _encode(list(response_rows(page)), columns)
    except Exception:  # headers are sent: the export ends short, and the log says why
        log.exception("CSV export stopped early", extra={"path": request.url.path})


def _csv_response(request: Request, endpoint: Callable[..., Any], kwargs: dict[str, Any],
                  first: BaseModel) -> StreamingResponse:
    name = request.url.path.removeprefix("/api/v1/").replace("/", "-") or "export"
    return StreamingResponse(
        csv_stream(request, endpoint, kwargs, first), media_type=CSV_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                 "Cache-Control": "no-cache", "Vary": "Accept"})


def _with_format(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint plus `format`, the request and the response in its signature."""
    signature = inspect.signature(endpoint, eval_str=True)

    def negotiated(**kwargs: Any) -> Any:
        request: Request = kwargs.pop(_REQUEST_PARAM)
        response: Response = kwargs.pop(_RESPONSE_PARAM)
        chosen = kwargs.pop(_FORMAT_PARAM)
        result = endpoint(**kwargs)
        if not wants_csv(chosen, request.headers.get("accept")):
            response.headers["Vary"] = "Accept"
            return result
        return _csv_response(request, endpoint, kwargs, result)

    extra = [inspect.Parameter(_REQUEST_PARAM, inspect.Parameter.KEYWORD_ONLY,
                               annotation=Request),
             inspect.Parameter(_RESPONSE_PARAM, inspect.Parameter.KEYWORD_ONLY,
                               annotation=Response),
             inspect.Parameter(_FORMAT_PARAM, inspect.Parameter.KEYWORD_ONLY,
                               annotation=FormatQuery, default=None)]
    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
              for p in signature.parameters.values()]
    negotiated.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*params, *extra])
    negotiated.__name__ = endpoint.__name__
    negotiated.__qualname__ = endpoint.__qualname__
    negotiated.__doc__ = endpoint.__doc__
    return negotiated


def with_csv(router: APIRouter) -> APIRouter:
    """Give every GET route of the router under /api/v1 the CSV representation; call it
    before the router is included (inclusion copies the routes' endpoints)."""
    for route in router.routes:
        if (isinstance(route, APIRoute) and "GET" in (route.methods or ())
                and route.path.startswith("/api/v1/") and route.response_model is not None
                and not inspect.iscoroutinefunction(route.endpoint)):
            route.endpoint = _with_format(route.endpoint)
            route.responses = {**route.responses, 200: {
                **route.responses.get(200, {}),
                "content": {**route.responses.get(200, {}).get("content", {}),
                            **CSV_RESPONSE}}}
    return router
