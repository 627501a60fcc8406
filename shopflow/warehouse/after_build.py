"""After a committed warehouse build: the dbt models on top of it (reporting, custom).

A dbt failure (a user's model that does not compile, a failing test of it) never undoes or
blocks the warehouse build: it is logged, counted in `shopflow_dbt_runs_total{outcome}`,
and recorded in the build's ops.builds.stats["dbt"], which WarehouseBuilt carries too. A
models/custom folder that does not parse is left out of the transformer's project
(DbtProject.custom_models_error) and reported here after every build, the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from prometheus_client import Counter
from psycopg.types.json import Jsonb

from shopflow.db.connect import connect
from shopflow.warehouse.dbt_project import DbtFailed, DbtProject, DbtRun
from shopflow.warehouse.request import BuildResult
from shopflow.warehouse.runner import core_project

log = logging.getLogger(__name__)

DBT_RUNS = Counter("shopflow_dbt_runs_total", "dbt builds after a warehouse build",
                   ["outcome"])


def summary(run: DbtRun) -> dict[str, Any]:
    models = [n for n in run.nodes if n.startswith("model.")]
    tests = [n for n in run.nodes if n.startswith("test.")]
    return {"success": run.success, "seconds": run.seconds, "models": len(models),
            "tests": len(tests), "failed": run.failed}


class DbtAfterBuild:
    """Builds the dbt project after each new warehouse build and records the outcome."""

    def __init__(self, database_url: str, project: DbtProject | None = None,
                 docs_dir: Path | None = None) -> None:
        self._url = database_url
        # The transformer's core builds parse the project once: this reuses that manifest.
        self._project = project or core_project(database_url)
        self._docs_dir = docs_dir
        self._docs_written = False
        self._all_built = False

    def __call__(self, result: BuildResult) -> dict[str, Any]:
        try:
            outcome = self._build()
            if not self._docs_written:  # the catalog changes with migrations/models only
                outcome["docs_seconds"] = self._project.generate_docs(self._docs_dir).seconds
                self._docs_written = True
        except DbtFailed as exc:
            outcome = {"success": False, "error": str(exc)[:2000]}
        if self._project.custom_models_error:  # built without them: still a failure
            outcome.update(success=False, error=self._project.custom_models_error[:2000])
        DBT_RUNS.labels("succeeded" if outcome["success"] else "failed").inc()
        if not outcome["success"]:
            log.error("dbt models failed after the warehouse build",
                      extra={"build_id": result.build_id, **outcome})
        self._record(result.build_id, outcome)
        result.stats["dbt"] = outcome
        return outcome

    def _build(self) -> dict[str, Any]:
        """Everything outside the core on the first build of the process; after that the
        models whose rows follow the data, and the tests (views change only with the
        project: rebuilding 19 of them took 3.1-3.4 s per build, decision 0089)."""
        if not self._all_built:
            outcome = summary(self._project.build_after_warehouse())
            self._all_built = outcome["success"]
            return outcome
        run = self._project.build_data_after_warehouse()
        if run is None:
            return {"success": True, "seconds": 0.0, "models": 0, "tests": 0, "failed": []}
        return summary(run)

    def _record(self, build_id: int, outcome: dict[str, Any]) -> None:
        with connect(self._url) as conn:
            conn.execute("UPDATE ops.builds SET stats = stats || %s WHERE build_id = %s",
                         (Jsonb({"dbt": outcome}), build_id))
