"""`GET /warehouse/docs`: the dbt docs site of the warehouse (catalog + lineage), offline.

The transformer writes it (`dbt docs generate --static`, one self-contained HTML file with
the manifest and catalog inside) after its first build; `shopflow dbt docs generate
--static` does the same by hand. The API only serves the file it finds.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from services.dashboard_api.deps import MetricsReader, SettingsDep
from services.dashboard_api.problems import ProblemError, problem_responses
from shopflow.warehouse.dbt_project import docs_file

router = APIRouter(tags=["warehouse"])


@router.get("/warehouse/docs", response_class=FileResponse,
            summary="The warehouse's dbt docs: models, sources, columns, tests, lineage",
            responses=problem_responses(401, 403, 404))
def warehouse_docs(settings: SettingsDep, _caller: MetricsReader) -> FileResponse:
    path: Path = docs_file(settings.dbt_docs_dir)
    if not path.is_file():
        raise ProblemError(404, "docs-not-generated",
                           "the warehouse docs have not been generated yet: they appear"
                           " after the transformer's first build, or run"
                           " `shopflow dbt docs generate --static`")
    return FileResponse(path, media_type="text/html")
