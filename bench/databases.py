"""The benches' throwaway databases."""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict


def drop_database(admin: str, url: str) -> None:
    """Drop the database `url` names, connected as `admin` (a URL of another database)."""
    name = str(conninfo_to_dict(url)["dbname"])
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))
