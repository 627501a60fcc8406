"""`shopflow init` and `shopflow topics`: idempotent set-up of Kafka topics and the database."""

from __future__ import annotations

import typer
from rich.console import Console

from shopflow.db.connect import connect
from shopflow.db.migrate import upgrade
from shopflow.db.roles import apply_role_passwords
from shopflow.runtime.settings import get_settings
from shopflow.topics import all_topics, create_topics

console = Console()
topics_app = typer.Typer(no_args_is_help=True, help="Kafka topics.")


@topics_app.command("create")
def topics_create() -> None:
    """Create every missing topic (partitions: SHOPFLOW_TOPIC_PARTITIONS)."""
    settings = get_settings()
    created = create_topics(settings)
    console.print(f"topics: {len(created)} created, {len(all_topics(settings))} in total")


@topics_app.command("list")
def topics_list() -> None:
    """Print the topic names this configuration uses."""
    for name in all_topics(get_settings()):
        console.print(name)


def init_command(
    skip_topics: bool = typer.Option(False, help="Only migrate the database."),
) -> None:
    """Create the Kafka topics and apply the database migrations and roles (idempotent)."""
    settings = get_settings()
    if not skip_topics:
        topics_create()
    upgrade(settings.database_url)
    with connect(settings.database_url, autocommit=True) as conn:
        roles = apply_role_passwords(conn)
    console.print(f"database: migrated to head; passwords set for {len(roles)} role(s)")
