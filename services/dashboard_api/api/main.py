"""All routers of the API, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

from services.dashboard_api.api.routes import (
    attribution,
    batches,
    builds,
    campaigns,
    catalog,
    categories,
    checks,
    customer_lists,
    customers,
    dead_letters,
    funnel,
    inventory,
    kpis,
    pages,
    product_page,
    products,
    quality,
    replay,
    sales,
    segments,
    stock_risk,
    system,
)
from services.dashboard_api.csv_export import with_csv

api_router = APIRouter()
# product_page after products: /products/top must not read as a product id.
for module in (kpis, sales, catalog, products, product_page, categories, customer_lists,
               customers, segments, funnel, attribution, campaigns, inventory, stock_risk,
               batches, dead_letters, replay, quality, builds, checks, system, pages):
    api_router.include_router(with_csv(module.router))
