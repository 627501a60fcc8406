"""GET /health, /metrics, the dashboard page and the vendored browser libraries."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from services.dashboard_api.deps import POOL_TIMEOUT_S, get_pool
from services.dashboard_api.health import database_health
from services.dashboard_api.problems import not_found, problem_responses
from services.dashboard_api.schemas.pipeline import Health
from shopflow.ops.collector import OpsCollector

router = APIRouter(tags=["system"])

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"


@router.get("/health", response_model=Health, summary="Service health",
            responses={503: {"model": Health, "description": "A dependency is unreachable"}})
def health(request: Request) -> JSONResponse:
    """Whether the database and Kafka are reachable (503 when one is not)."""
    checks = {"database": database_health(get_pool(request)),
              "kafka": request.app.state.kafka_probe.check()}
    ok = all(check.ok for check in checks.values())
    body = Health(status="ok" if ok else "degraded", checks=checks)
    return JSONResponse(body.model_dump(mode="json"), status_code=200 if ok else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition format"}})
def metrics(request: Request) -> Response:
    """Request counts and latencies of this API, the process metrics and the pipeline's
    ledger (builds, quality, quarantined files, dead letters, freshness: shopflow.ops)."""
    return Response(generate_latest() + generate_latest(_ops_registry(request)),
                    media_type=CONTENT_TYPE_LATEST)


def _ops_registry(request: Request) -> CollectorRegistry:
    """One registry per app with the ledger collector, over the app's pool."""
    state = request.app.state
    if getattr(state, "ops_registry", None) is None:
        pool = get_pool(request)
        state.ops_registry = CollectorRegistry()
        state.ops_registry.register(OpsCollector(
            lambda: pool.connection(timeout=POOL_TIMEOUT_S),
            state.settings.freshness_hours))
    registry: CollectorRegistry = state.ops_registry
    return registry


@router.get("/", include_in_schema=False)
def dashboard() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html")


# Browser libraries come from npm packages (`npm ci`), served from node_modules:
# nothing third-party is copied into the repository.
VENDOR_FILES = {
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
}


@router.get("/static/vendor/{name}", include_in_schema=False,
            responses=problem_responses(404))
def vendor_file(name: str, request: Request) -> FileResponse:
    relative = VENDOR_FILES.get(name)
    path = request.app.state.vendor_dir / relative if relative else None
    if path is None or not path.is_file():
        raise not_found(f"no vendored file {name!r} (was `npm ci` run?)")
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
