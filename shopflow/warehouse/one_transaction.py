"""Run one dbt invocation in ONE database transaction (docs/decisions/0057).

dbt commits after every model and cannot span a transaction over several models
(dbt-core issue #3401), but a warehouse build must commit completely or not at all. For
the duration of one in-process invocation (threads: 1) this module makes dbt's
connection manager keep a single connection with a single open transaction:

* every thread maps to the same connection key, so all nodes share one connection;
* ``begin`` joins the open transaction, ``commit`` does nothing;
* ``release``, ``clear_transaction`` and ``cleanup_all`` leave the connection open and
  hand it to the caller, who commits or rolls back (and closes it) afterwards.

The originals are restored when the block ends. dbt-core and dbt-postgres are pinned
exactly (pyproject.toml), and tests/integration/transformer/test_build_safety.py fails if
an upgrade changes these methods' roles.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_ONE_CONNECTION_KEY = ("shopflow-one-transaction",)


@dataclass
class KeptConnection:
    """The connection dbt used, still inside its open transaction."""

    connection: Any = None  # dbt's Connection (its .handle is the psycopg2 connection)

    @property
    def handle(self) -> Any:
        return None if self.connection is None else self.connection.handle

    def finish(self, commit: bool) -> None:
        """Commit or roll back the invocation's transaction, then close the connection."""
        handle = self.handle
        if handle is None or handle.closed:
            return
        try:
            (handle.commit if commit else handle.rollback)()
        finally:
            handle.close()


@contextmanager
def one_transaction() -> Iterator[KeptConnection]:
    """Patch dbt's connection management; yield where the kept connection lands."""
    from dbt.adapters.base.connections import BaseConnectionManager
    from dbt.adapters.postgres.connections import PostgresConnectionManager

    kept = KeptConnection()
    originals: dict[tuple[type, str], Any] = {
        (PostgresConnectionManager, "begin"): PostgresConnectionManager.__dict__["begin"],
        (PostgresConnectionManager, "commit"): PostgresConnectionManager.__dict__["commit"],
        **{(BaseConnectionManager, name): BaseConnectionManager.__dict__[name]
           for name in ("get_thread_identifier", "release", "clear_transaction",
                        "cleanup_all")},
    }
    begin = originals[(PostgresConnectionManager, "begin")]

    def begin_once(self: Any) -> None:
        if not self.get_thread_connection().transaction_open:
            begin(self)

    def keep(self: Any) -> None:
        connection = self.get_if_exists()
        if connection is not None:
            kept.connection = connection

    def keep_all(self: Any) -> None:
        with self.lock:
            for connection in self.thread_connections.values():
                kept.connection = connection
            self.thread_connections.clear()

    replacements: dict[tuple[type, str], Any] = {
        (PostgresConnectionManager, "begin"): begin_once,
        (PostgresConnectionManager, "commit"): lambda self: None,
        (BaseConnectionManager, "get_thread_identifier"):
            staticmethod(lambda: _ONE_CONNECTION_KEY),
        (BaseConnectionManager, "release"): keep,
        (BaseConnectionManager, "clear_transaction"): lambda self: None,
        (BaseConnectionManager, "cleanup_all"): keep_all,
    }
    for (cls, name), replacement in replacements.items():
        setattr(cls, name, replacement)
    try:
        yield kept
    finally:
        for (cls, name), original in originals.items():
            setattr(cls, name, original)
