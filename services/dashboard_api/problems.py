"""RFC 9457 problem details: every error the API returns is application/problem+json.

Parameter validation failures are 422 (with one entry per bad parameter), rule
violations between parameters (start after end, a range too long, a bad cursor)
are 400, unknown resources 404; an unexpected error is a 500 that says nothing
about the code (it is logged with its traceback instead).
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "urn:shopflow:problem:"


class ParameterError(BaseModel):
    location: str = Field(description="query, path, header or body")
    name: str = Field(description="the parameter (or body field path)")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = Field("about:blank", description="URI naming the kind of problem")
    title: str
    status: int = Field(ge=100, le=599)
    detail: str | None = None
    instance: str | None = Field(None, description="the request path")
    errors: list[ParameterError] | None = None


class ProblemError(Exception):
    """Raise from anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, kind: str, detail: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.headers = headers


def bad_request(detail: str, kind: str = "invalid-parameters") -> ProblemError:
    return ProblemError(400, kind, detail)


def not_found(detail: str) -> ProblemError:
    return ProblemError(404, "not-found", detail)


def problem_response(request: Request, status: int, detail: str | None, kind: str | None = None,
                     errors: list[ParameterError] | None = None,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    problem = Problem(
        type=f"{TYPE_PREFIX}{kind}" if kind else "about:blank",
        title=_title(status), status=status, detail=detail, instance=request.url.path,
        errors=errors)
    return JSONResponse(problem.model_dump(exclude_none=True), status_code=status,
                        media_type=PROBLEM_JSON, headers=headers)


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _parameter_errors(exc: RequestValidationError) -> list[ParameterError]:
    found = []
    for error in exc.errors():
        location, *path = [str(part) for part in error.get("loc", ())] or ["request"]
        message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
        found.append(ParameterError(location=location, name=".".join(path) or location,
                                    message=message))
    return found


async def _on_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(request, exc.status, exc.detail, exc.kind, headers=exc.headers)


async def _on_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _parameter_errors(exc)
    detail = "; ".join(f"{e.name}: {e.message}" for e in errors) or "invalid request"
    return problem_response(request, 422, detail, "invalid-parameters", errors)


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(request, exc.status_code, detail, headers=headers)


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable", extra={"path": request.url.path, "error": str(exc)})
    return problem_response(request, 503, "the database is not reachable right now",
                            "unavailable", headers={"Retry-After": "5"})


async def _on_data_error(request: Request, exc: Exception) -> JSONResponse:
    # e.g. a NUL character in a text parameter: the input is wrong, not the server.
    return problem_response(request, 400, "a parameter holds a value the database cannot"
                            " accept (such as a NUL character)", "invalid-parameters")


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc, extra={"path": request.url.path})
    return problem_response(request, 500, "an unexpected error occurred; it has been logged",
                            "internal")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _on_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(PoolTimeout, _on_unavailable)
    app.add_exception_handler(psycopg.OperationalError, _on_unavailable)
    app.add_exception_handler(psycopg.DataError, _on_data_error)
    app.add_exception_handler(Exception, _on_unexpected)


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem statuses a route can answer."""
    described = {
        400: "Parameters that break a rule (start after end, range too long, bad cursor)",
        401: "Missing, malformed, unknown or revoked API key (X-API-Key)",
        403: "The API key lacks the scope this route needs",
        404: "No such resource",
        413: "Request body too large",
        422: "A parameter is malformed or out of range",
        503: "The database is unavailable",
    }
    return {status: {"description": described[status], "content": _problem_content()}
            for status in statuses}
