"""The warehouse build: SQL models (one per file, models/) over staging, run as one
transaction per build, then data-quality checks (checks/). See docs/warehouse.md."""

from shopflow.warehouse.runner import BuildFailed, BuildRequest, BuildResult, run_build

__all__ = ["BuildFailed", "BuildRequest", "BuildResult", "run_build"]
