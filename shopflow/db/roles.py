"""Service roles and their optional passwords (set from the environment, never from git)."""

from __future__ import annotations

import os

import psycopg
from psycopg import sql

SERVICE_ROLES = {
    "ingestor": "shopflow_ingestor",
    "loader": "shopflow_loader",
    "transformer": "shopflow_transformer",
    "api": "shopflow_api",
    "reader": "shopflow_reader",  # BI tools: the reporting views only (docs/bi.md)
}


def apply_role_passwords(conn: psycopg.Connection) -> list[str]:
    """Set SHOPFLOW_<SERVICE>_DB_PASSWORD as each role's password where it is given."""
    changed = []
    for service, role in SERVICE_ROLES.items():
        password = os.environ.get(f"SHOPFLOW_{service.upper()}_DB_PASSWORD")
        if password:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)))
            changed.append(role)
    return changed
