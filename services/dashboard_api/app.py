"""FastAPI application factory: routers, problem handlers, middleware, static page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from services.dashboard_api import warehouse_docs
from services.dashboard_api.api.main import api_router
from services.dashboard_api.api.routes.system import STATIC_DIR
from services.dashboard_api.caching import NotModified, on_not_modified
from services.dashboard_api.db import open_pool
from services.dashboard_api.health import KafkaProbe
from services.dashboard_api.middleware import BodyLimitMiddleware, MetricsMiddleware
from services.dashboard_api.openapi_security import mark_key_requirements
from services.dashboard_api.problems import Problem, install_problem_handlers
from services.dashboard_api.replay import ReplayProducer
from shopflow.access import check_configured_key
from shopflow.runtime.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]
DESCRIPTION = """Figures from the ShopFlow warehouse marts and the state of the pipeline.

Dates are UTC calendar days, ranges inclusive. Money is a decimal string with two
places. Errors are RFC 9457 `application/problem+json`. Responses carry an `ETag`
tied to the latest warehouse build: send it back in `If-None-Match` to get `304`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    app.state.pool = open_pool(settings)
    # Reads may come from a replica; writes (the replay audit) go to the primary.
    primary = settings.api_primary_database_url
    app.state.primary_pool = (open_pool(settings, min_size=0, max_size=2, url=primary,
                                        name="dashboard_api_primary")
                              if primary else app.state.pool)
    try:
        yield
    finally:
        app.state.producer.close()
        if app.state.primary_pool is not app.state.pool:
            app.state.primary_pool.close()
        app.state.pool.close()


def _docs(app: FastAPI) -> None:
    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:  # served from node_modules: works offline
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title=f"{app.title} - docs",
            swagger_js_url="/static/vendor/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui.css", swagger_favicon_url="")


def _register_problem_schema(app: FastAPI) -> None:
    """Every route documents problem+json bodies by reference; keep the schema in."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(problem.pop("$defs", {}))
            components["Problem"] = problem
            mark_key_requirements(schema, app.state.settings)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings, vendor_dir: Path | None = None) -> FastAPI:
    """The app; raises PlaceholderKeyError for an empty or placeholder SHOPFLOW_API_KEY."""
    configured = settings.api_key
    check_configured_key(configured.get_secret_value() if configured is not None else None)
    app = FastAPI(title="ShopFlow dashboard API", version="1", description=DESCRIPTION,
                  lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.vendor_dir = vendor_dir or REPO_ROOT / "node_modules"
    app.state.kafka_probe = KafkaProbe(settings)
    app.state.producer = ReplayProducer(settings)
    install_problem_handlers(app)
    app.add_exception_handler(NotModified, on_not_modified)
    app.include_router(api_router)
    app.include_router(warehouse_docs.router)
    _docs(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _register_problem_schema(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.api_max_body_bytes)
    app.add_middleware(MetricsMiddleware)
    return app
