"""ASGI middleware: request body size limit (413) and request metrics."""

from __future__ import annotations

import time
from typing import Any

from fastapi import HTTPException
from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.dashboard_api.problems import problem_response

REQUESTS = Counter("shopflow_api_requests_total", "HTTP requests answered",
                   ["method", "route", "status"])
LATENCY = Histogram("shopflow_api_request_seconds", "Time to answer an HTTP request",
                    ["method", "route"],
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))


class BodyTooLarge(HTTPException):
    """An HTTPException, so FastAPI's body parsing lets it through to our handler."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"the request body is over {max_bytes} bytes")


class BodyLimitMiddleware:
    """Refuse bodies over `max_bytes`: by Content-Length up front, else while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._refuse(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            Request(scope), 413, f"the request body is over {self.max_bytes} bytes",
            "body-too-large", headers={"Connection": "close"})
        await response(scope, receive, send)


class MetricsMiddleware:
    """Count and time requests by route template (not raw path: bounded labels)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: dict[str, Any] = {"code": 500}

        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            route = scope.get("route")
            label = getattr(route, "path", None) or "unmatched"
            REQUESTS.labels(scope["method"], label, str(status["code"])).inc()
            LATENCY.labels(scope["method"], label).observe(time.perf_counter() - started)
