"""FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from shopflow.runtime.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="ShopFlow dashboard API", version="1")
    app.state.settings = settings

    @app.get("/health")
    def health() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
