"""`shopflow keys create | list | revoke`: API keys with scopes, stored hashed.

Runs with the owner's database URL (SHOPFLOW_DATABASE_URL): the API's own role can
only check a key, never create, list or revoke one.
"""

from __future__ import annotations

import json
from typing import Annotated

import psycopg
import typer
from rich.console import Console
from rich.table import Table

from shopflow.access import Scope, create_key, list_keys, revoke_key
from shopflow.db.connect import connect
from shopflow.runtime.settings import get_settings

keys_app = typer.Typer(no_args_is_help=True,
                       help="API keys for the dashboard API (shown once, stored hashed).")
_SCOPES = ", ".join(scope.value for scope in Scope)


def _connection() -> psycopg.Connection:
    try:
        return connect(get_settings().database_url, autocommit=True)
    except psycopg.OperationalError as exc:
        typer.echo(f"error: database unavailable: {exc}", err=True)
        raise typer.Exit(1) from None


def _scope(text: str) -> Scope:
    try:
        return Scope(text)
    except ValueError:
        raise typer.BadParameter(f"unknown scope {text!r}; known: {_SCOPES}") from None


@keys_app.command("create")
def create_command(
    scope: Annotated[list[str], typer.Option(help=f"Scope (repeatable): {_SCOPES}.")],
    name: Annotated[str, typer.Option(help="Who or what the key is for.")] = "unnamed",
    quiet: Annotated[bool, typer.Option(help="Print only the key.")] = False,
) -> None:
    """Create a key and print it once: it cannot be shown again."""
    scopes = [_scope(text) for text in scope]
    if not name.strip() or len(name) > 200:
        raise typer.BadParameter("--name must be 1 to 200 characters")
    with _connection() as conn:
        issued = create_key(conn, name, scopes)
    if quiet:
        typer.echo(issued.key)
        return
    typer.echo(f"key id: {issued.key_id}\nscopes: {', '.join(sorted(scopes))}")
    typer.echo(f"key:    {issued.key}\n(shown once; send it in the X-API-Key header)")


@keys_app.command("list")
def list_command(
    include_revoked: Annotated[bool, typer.Option(help="Also revoked keys.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """List keys (ids, names, scopes; never the keys themselves)."""
    with _connection() as conn:
        keys = list_keys(conn, include_revoked)
    if as_json:
        typer.echo(json.dumps([{
            "key_id": k.key_id, "name": k.name, "scopes": [str(s) for s in k.scopes],
            "created_at": k.created_at.isoformat(), "created_by": k.created_by,
            "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None} for k in keys]))
        return
    table = Table(title="API keys")
    for column in ("key id", "name", "scopes", "created", "revoked"):
        table.add_column(column)
    for k in keys:
        table.add_row(k.key_id, k.name, ", ".join(k.scopes),
                      k.created_at.strftime("%Y-%m-%d %H:%M"),
                      k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "-")
    Console().print(table)


@keys_app.command("revoke")
def revoke_command(key_id: Annotated[str, typer.Argument(help="The key id to revoke.")]) -> None:
    """Revoke a key: the API refuses it from the next request on."""
    with _connection() as conn:
        revoked = revoke_key(conn, key_id)
    if not revoked:
        typer.echo(f"error: no active key {key_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")
