"""OpenAPI response declarations and router factories shared by the routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from services.dashboard_api.deps import pipeline_etag, require_metrics, warehouse_etag
from services.dashboard_api.problems import problem_responses

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the If-None-Match tag is still current"}}


def figures_router(tag: str) -> APIRouter:
    """Routes over marts.*: ETag of the latest warehouse build; metrics:read where the
    API listens beyond localhost (deps.MetricsReader)."""
    return APIRouter(prefix="/api/v1", tags=[tag],
                     dependencies=[Depends(require_metrics), Depends(warehouse_etag)],
                     responses={**NOT_MODIFIED, **problem_responses(400, 401, 403, 422, 503)})


def pipeline_router(tag: str, *, etag: bool = True) -> APIRouter:
    """Routes over ops.*: ETag of the latest build and of the pipeline ledger; metrics:read
    where the API listens beyond localhost (deps.MetricsReader). etag=False: the routes
    add PIPELINE_ETAG themselves, after their own scope check (an ETag must not answer
    304 to a caller the scope would refuse)."""
    dependencies = [Depends(require_metrics)] + ([Depends(pipeline_etag)] if etag else [])
    return APIRouter(prefix="/api/v1", tags=[tag], dependencies=dependencies,
                     responses={**NOT_MODIFIED, **problem_responses(400, 401, 403, 422, 503)})


PIPELINE_ETAG = Depends(pipeline_etag)
