"""`shopflow dbt ARGS...`: dbt on the warehouse project, connected as the transformer."""

from __future__ import annotations

import typer

from shopflow.runtime.settings import get_settings
from shopflow.warehouse.dbt_project import DbtFailed, DbtProject


def dbt_command(ctx: typer.Context) -> None:
    """Run any dbt command (build, test, docs generate, source freshness, ...) on
    warehouse/, with the connection of SHOPFLOW_TRANSFORMER_DATABASE_URL (or
    SHOPFLOW_DATABASE_URL). Example: shopflow dbt build --select custom"""
    if not ctx.args:
        raise typer.BadParameter("give a dbt command, e.g. `shopflow dbt build`")
    settings = get_settings()
    project = DbtProject(settings.database_url_for("transformer"),
                         target_dir=settings.dbt_docs_dir)
    try:
        run = project.invoke(ctx.args)
    except DbtFailed as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    for node, status in sorted(run.nodes.items()):
        typer.echo(f"{status:8} {node}")
    typer.echo(f"dbt {run.command}: {'ok' if run.success else 'FAILED'} in {run.seconds}s")
    if not run.success:
        raise typer.Exit(1)
