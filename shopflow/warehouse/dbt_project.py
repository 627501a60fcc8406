"""The dbt project in warehouse/: parsed once per process, invoked in-process.

The core (tag `core`: scopes, dimensions, facts, marts and the quality tests) is built by
runner.py for every batch, in one transaction (one_transaction.py); the layers on top
(reporting views, the users' own models in models/custom/) are built after each build.
dbt reads its connection from the SHOPFLOW_DBT_* variables of warehouse/profiles.yml,
filled here from the same database URL the transformer uses, so `shopflow dbt ...`, the
service and a hand-run `dbt build` agree.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopflow.runtime.errors import ShopflowError
from shopflow.warehouse import dbt_speedups
from shopflow.warehouse.dbt_profile import environment, profile_env
from shopflow.warehouse.one_transaction import KeptConnection, one_transaction

log = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parents[2] / "warehouse"
# What the transformer builds after each warehouse build: every dbt model outside the core
# (reporting, custom) and the tests attached to those models.
AFTER_BUILD_SELECTOR = ("--select", "resource_type:model", "--exclude", "tag:core",
                        "--indirect-selection", "cautious")
Callback = Callable[[Any], None]  # dbt's event callback (an EventMsg)
CUSTOM_MODELS = Path("models") / "custom"  # the users' own models (docs/warehouse.md)
_DBT_LOCK = threading.Lock()  # dbt keeps global state: one invocation at a time per process


def docs_file(docs_dir: Path | None) -> Path:
    """Where `dbt docs generate --static` leaves its one-file site."""
    return (docs_dir or PROJECT_DIR / "target") / "static_index.html"


class DbtFailed(ShopflowError):
    """dbt could not parse the project, or a model or test of it failed."""


@dataclass(frozen=True)
class DbtRun:
    command: str
    success: bool
    seconds: float
    nodes: dict[str, str] = field(default_factory=dict)  # unique_id -> status
    node_seconds: dict[str, float] = field(default_factory=dict)
    results: list[Any] = field(default_factory=list)  # dbt's RunResult per node
    kept: KeptConnection | None = None  # invoke(one_transaction=True): still open

    @property
    def failed(self) -> list[str]:
        return sorted(n for n, s in self.nodes.items() if s in ("error", "fail", "skipped"))


class DbtProject:
    """One dbt project for one database; the manifest is parsed on first use and reused."""

    def __init__(self, database_url: str, project_dir: Path = PROJECT_DIR,
                 target_dir: Path | None = None, *, isolate_custom_models: bool = False) -> None:
        """``isolate_custom_models``: when the project does not parse and models/custom
        holds files, parse (and then run) the project without that folder, keeping the
        error in ``custom_models_error``: a user's broken model must not stop the core
        build (the transformer's project; a hand-run command gets the error instead)."""
        self.project_dir = project_dir
        self.target_dir = target_dir or project_dir / "target"
        self._env = profile_env(database_url)
        self._manifest: Any = None
        self._isolate_custom_models = isolate_custom_models
        self._without_custom: tempfile.TemporaryDirectory[str] | None = None
        self.custom_models_error: str | None = None

    def _args(self, command: Sequence[str], target_dir: Path | None = None) -> list[str]:
        return [*command, "--project-dir", str(self.project_dir),
                "--profiles-dir", str(self.project_dir),
                "--target-path", str(target_dir or self.target_dir), "--quiet"]

    def parse(self) -> float:
        """Parse the project (once per process); the seconds it took."""
        started = time.monotonic()
        result = self._parse()
        if not result.success:
            error = f"dbt could not parse {self.project_dir}: {result.exception}"
            if not (self._isolate_custom_models and self._has_custom_models()):
                raise DbtFailed(error)
            result = self._parse_without_custom_models(error)
        self._manifest = result.result
        return round(time.monotonic() - started, 3)

    def _parse(self) -> Any:
        from dbt.cli.main import dbtRunner

        with _DBT_LOCK, environment(self._env):
            return dbtRunner().invoke(self._args(["parse"]))

    def _has_custom_models(self) -> bool:
        folder = self.project_dir / CUSTOM_MODELS
        return folder.is_dir() and any(p.is_file() and not p.name.startswith(".")
                                       for p in folder.rglob("*"))

    def _parse_without_custom_models(self, error: str) -> Any:
        """Parse a copy of the project without models/custom; raise ``error`` if the copy
        does not parse either (then the core itself is broken)."""
        original = self.project_dir
        self._without_custom = tempfile.TemporaryDirectory(prefix="shopflow-dbt-")
        copy = Path(self._without_custom.name) / original.name
        custom = (original / CUSTOM_MODELS).resolve()
        shutil.copytree(original, copy, ignore=lambda folder, names: [
            n for n in names if n in ("target", "logs")
            or (Path(folder).resolve() / n) == custom])
        self.project_dir = copy
        result = self._parse()
        if not result.success:
            self.project_dir = original
            self._without_custom.cleanup()
            self._without_custom = None
            raise DbtFailed(error)
        self.custom_models_error = (f"{CUSTOM_MODELS} is left out until the transformer "
                                    f"restarts: {error}")[:4000]
        log.error("the users' dbt models do not parse: the core is built without them",
                  extra={"error": self.custom_models_error})
        return result

    def invoke(self, command: Sequence[str], *, callbacks: Sequence[Callback] = (),
               in_one_transaction: bool = False, target_dir: Path | None = None) -> DbtRun:
        """Run a dbt command (build, run, test, docs generate, ...) on the parsed project.

        ``in_one_transaction``: every statement runs in one transaction, left open in
        ``DbtRun.kept`` for the caller to finish (commit or roll back).
        """
        from dbt.cli.main import dbtRunner

        dbt_speedups.apply()
        if self._manifest is None:
            self.parse()
        started = time.monotonic()
        kept = None
        with _DBT_LOCK, environment(self._env):
            runner = dbtRunner(manifest=self._manifest, callbacks=list(callbacks))
            if in_one_transaction:
                with one_transaction() as kept:
                    result = runner.invoke(self._args([*command, "--threads", "1"],
                                                      target_dir))
            else:
                result = runner.invoke(self._args(command, target_dir))
        run = DbtRun(command=" ".join(command), success=bool(result.success),
                     seconds=round(time.monotonic() - started, 3), kept=kept)
        for node in getattr(result.result, "results", None) or []:
            run.results.append(node)
            if node.node.resource_type == "operation":  # a hook: in results, not a node
                continue
            run.nodes[node.node.unique_id] = str(node.status)
            run.node_seconds[node.node.unique_id] = round(float(node.execution_time), 3)
        if result.exception is not None:
            if kept is not None:
                kept.finish(commit=False)
            raise DbtFailed(f"dbt {run.command} failed: {result.exception}")
        return run

    def data_nodes_after_warehouse(self) -> list[str]:
        """The nodes of build_after_warehouse() whose result follows the data: non-core
        models that are not views (tables, incremental models) and the tests whose
        parents are all non-core models. A view reads its tables when queried, so it only
        changes with the project, which is parsed once per process (docs/warehouse.md)."""
        if self._manifest is None:
            self.parse()
        nodes = self._manifest.nodes.values()
        outside_core = {n.unique_id: n for n in nodes
                        if n.resource_type == "model" and "core" not in (n.tags or [])}
        models = [n.name for n in outside_core.values() if n.config.materialized != "view"]
        tests = [n.name for n in nodes if n.resource_type == "test"
                 and n.depends_on.nodes
                 and all(parent in outside_core for parent in n.depends_on.nodes)]
        return sorted(models) + sorted(tests)

    def build_data_after_warehouse(self) -> DbtRun | None:
        """Build data_nodes_after_warehouse() (None when there are none)."""
        names = self.data_nodes_after_warehouse()
        if not names:
            return None
        run = self.invoke(["build", "--select", *names, "--indirect-selection", "cautious"])
        log.info("dbt data models built", extra={"success": run.success,
                                                 "seconds": run.seconds,
                                                 "nodes": len(run.nodes), "failed": run.failed})
        return run

    def generate_docs(self, target_dir: Path | None = None) -> DbtRun:
        """The docs site (catalog + lineage) as one file: docs_file(target_dir)."""
        return self.invoke(["docs", "generate", "--static"], target_dir=target_dir)

    def build_after_warehouse(self) -> DbtRun:
        """Build every dbt model (reporting, custom) and its tests over the new warehouse."""
        run = self.invoke(["build", *AFTER_BUILD_SELECTOR])
        log.info("dbt models built", extra={"success": run.success, "seconds": run.seconds,
                                            "nodes": len(run.nodes), "failed": run.failed})
        return run
