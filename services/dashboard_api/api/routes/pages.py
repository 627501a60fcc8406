"""The dashboard's pages (the overview is `/`, in system.py): one HTML file each."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import FileResponse

from services.dashboard_api.api.routes.system import STATIC_DIR

router = APIRouter(tags=["system"])

PAGES = ("sales", "customers", "inventory", "campaigns", "pipeline")


def _page(name: str) -> Callable[[], FileResponse]:
    def page() -> FileResponse:
        return FileResponse(STATIC_DIR / f"{name}.html", media_type="text/html")

    return page


for _name in PAGES:
    router.add_api_route(f"/{_name}", _page(_name), methods=["GET"], include_in_schema=False,
                         name=f"page_{_name}")
