"""`shopflow transform --batch ID` / `--full-refresh`: run a warehouse build by hand."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from shopflow.runtime.settings import get_settings
from shopflow.warehouse import BuildFailed, BuildRequest, run_build
from shopflow.warehouse.after_build import DbtAfterBuild


def transform_command(
    batch: Annotated[str | None, typer.Option(
        "--batch", help="Rebuild what this batch's staging rows touched.")] = None,
    full_refresh: Annotated[bool, typer.Option(
        "--full-refresh", help="Rebuild every warehouse and mart table from staging.")] = False,
    dbt: Annotated[bool, typer.Option(
        help="Then build the dbt models on top (reporting, custom), as the service does.")
    ] = True,
) -> None:
    """Build the star schema and marts (as the transformer's database role)."""
    if (batch is None) == (not full_refresh):
        raise typer.BadParameter("give exactly one of --batch ID or --full-refresh")
    settings = get_settings()
    request = BuildRequest(batch_id=batch, full_refresh=full_refresh, trigger="manual")
    try:
        result = run_build(settings.database_url_for("transformer"), request,
                           fiscal_start_month=settings.fiscal_year_start_month)
    except BuildFailed as exc:
        typer.echo(f"build {exc.build_id} failed: {exc}", err=True)
        raise typer.Exit(1) from None
    if dbt and not result.reused:
        DbtAfterBuild(settings.database_url_for("transformer"),
                      docs_dir=settings.dbt_docs_dir)(result)
    typer.echo(json.dumps({"build_id": result.build_id, "status": result.status,
                           "seconds": result.seconds, "dates": result.stats.get("dates"),
                           "first_date": result.stats.get("first_date"),
                           "last_date": result.stats.get("last_date"),
                           "checks": result.stats.get("checks"),
                           "dbt": result.stats.get("dbt")}))
    if result.status != "succeeded":
        raise typer.Exit(3)  # committed, but a data-quality check failed
