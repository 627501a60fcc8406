"""dbt's connection settings (the SHOPFLOW_DBT_* variables warehouse/profiles.yml reads),
filled from the database URL the transformer uses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg.conninfo import conninfo_to_dict


def profile_env(database_url: str) -> dict[str, str]:
    """The SHOPFLOW_DBT_* variables profiles.yml reads, from a libpq URL."""
    parts = conninfo_to_dict(database_url)
    env = {"SHOPFLOW_DBT_HOST": str(parts.get("host") or "127.0.0.1"),
           "SHOPFLOW_DBT_PORT": str(parts.get("port") or "5432"),
           "SHOPFLOW_DBT_USER": str(parts.get("user") or "shopflow_transformer"),
           "SHOPFLOW_DBT_PASSWORD": str(parts.get("password") or ""),
           "SHOPFLOW_DBT_DBNAME": str(parts.get("dbname") or "shopflow")}
    if parts.get("sslmode"):
        env["SHOPFLOW_DBT_SSLMODE"] = str(parts["sslmode"])
    # Certificates: libpq (under dbt's psycopg2) reads them from its own variables.
    for key, variable in (("sslrootcert", "PGSSLROOTCERT"), ("sslcert", "PGSSLCERT"),
                          ("sslkey", "PGSSLKEY")):
        if parts.get(key):
            env[variable] = str(parts[key])
    return env


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
