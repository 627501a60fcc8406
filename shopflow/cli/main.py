"""Entry point of the `shopflow` console script; each command group lives in its own module."""

from __future__ import annotations

import typer

from shopflow.cli import infra_commands
from shopflow.cli.batches import batches_command
from shopflow.cli.dbt import dbt_command
from shopflow.cli.dlq import dlq_app
from shopflow.cli.export import export_command
from shopflow.cli.generate import generate_command
from shopflow.cli.ingest import ingest_command
from shopflow.cli.keys import keys_app
from shopflow.cli.retention import monitor_app, retention_app
from shopflow.cli.transform import transform_command

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="ShopFlow: event-driven e-commerce analytics.")
app.command("init")(infra_commands.init_command)
app.add_typer(infra_commands.topics_app, name="topics")
app.command("generate")(generate_command)
app.command("ingest")(ingest_command)
app.add_typer(dlq_app, name="dlq")
app.command("transform")(transform_command)
app.command("dbt", context_settings={"allow_extra_args": True,
                                     "ignore_unknown_options": True})(dbt_command)
app.command("batches")(batches_command)
app.command("export")(export_command)
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(monitor_app, name="monitor")


if __name__ == "__main__":
    app()
