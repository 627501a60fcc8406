"""`shopflow keys create | list | revoke` as a user runs it, against a real database."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import psycopg
import pytest

from shopflow.access import Scope, key_scopes, parse_key
from tests.conftest import TestDatabase

pytestmark = pytest.mark.integration


def _keys(database: TestDatabase, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHOPFLOW_DATABASE_URL": database.url}
    return subprocess.run([sys.executable, "-m", "shopflow.cli.main", "keys", *args],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


def test_create_list_revoke(database: TestDatabase) -> None:
    created = _keys(database, "create", "--name", "bi team", "--quiet",
                    "--scope", "metrics:read", "--scope", "customers:read")
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    key_id, secret = parse_key(key)
    with psycopg.connect(database.url) as conn:
        stored = conn.execute("SELECT secret_sha256 FROM access.api_keys WHERE key_id = %s",
                              (key_id,)).fetchone()
        assert stored is not None and secret.encode() not in bytes(stored[0])
    with psycopg.connect(database.url_as("shopflow_api")) as conn:  # as the API checks it
        assert key_scopes(conn, key_id, secret) == {Scope.METRICS_READ, Scope.CUSTOMERS_READ}

    listed = json.loads(_keys(database, "list", "--json").stdout)
    assert [(k["key_id"], k["name"], k["scopes"]) for k in listed] == [
        (key_id, "bi team", ["customers:read", "metrics:read"])]
    assert key not in _keys(database, "list").stdout and secret not in json.dumps(listed)

    assert _keys(database, "revoke", key_id).returncode == 0
    with psycopg.connect(database.url_as("shopflow_api")) as conn:
        assert key_scopes(conn, key_id, secret) is None
    assert json.loads(_keys(database, "list", "--json").stdout) == []
    again = _keys(database, "revoke", key_id)
    assert again.returncode == 1 and "no active key" in again.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["create", "--scope", "everything"], "unknown scope 'everything'"),
    (["create"], "--scope"),
    (["create", "--scope", "metrics:read", "--name", " "], "--name"),
])
def test_bad_input_gets_a_clear_error(database: TestDatabase, args: list[str],
                                      message: str) -> None:
    done = _keys(database, *args)
    assert done.returncode == 2 and message in done.stderr, done.stderr
    with psycopg.connect(database.url) as conn:
        assert conn.execute("SELECT count(*) FROM access.api_keys").fetchone() == (0,)
