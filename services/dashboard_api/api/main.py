"""All routers of the API, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

from services.dashboard_api.api.routes import (
    attribution,
    batches,
    builds,
    categories,
    checks,
    customers,
    dead_letters,
    funnel,
    inventory,
    kpis,
    products,
    quality,
    replay,
    sales,
    segments,
    system,
)

api_router = APIRouter()
for module in (kpis, sales, products, categories, customers, segments, funnel, attribution,
               inventory, batches, builds, dead_letters, replay, quality, checks, system):
    api_router.include_router(module.router)
