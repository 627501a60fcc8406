"""The warehouse build: the dbt project in warehouse/ (staging scopes, intermediate
models, dimensions, facts, marts and quality tests), run in one transaction per build.
See docs/warehouse.md."""

from shopflow.warehouse.request import BuildFailed, BuildRequest, BuildResult
from shopflow.warehouse.runner import run_build

__all__ = ["BuildFailed", "BuildRequest", "BuildResult", "run_build"]
