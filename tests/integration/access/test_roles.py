"""Each database role can do exactly its job: the role x schema table of
docs/security.md is what PostgreSQL says, and each role tries its own and others' work."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.conftest import TestDatabase
from tests.integration.access.privileges import actual_matrix, documented_matrix

pytestmark = pytest.mark.integration
SECURITY_MD = Path(__file__).resolve().parents[3] / "docs" / "security.md"

ALLOWED, DENIED = True, False
# (role, statement, allowed). Writes touch no row (WHERE false / SELECT ... WHERE false):
# PostgreSQL checks privileges before it looks at any row.
ATTEMPTS = [
    ("shopflow_ingestor", "INSERT INTO ops.ingested_files (sha256) SELECT NULL WHERE false",
     ALLOWED),
    ("shopflow_ingestor", "SELECT 1 FROM ops.dead_letters", DENIED),
    ("shopflow_ingestor", "SELECT 1 FROM staging.orders", DENIED),
    ("shopflow_loader", "INSERT INTO staging.orders (order_id) SELECT NULL WHERE false",
     ALLOWED),
    ("shopflow_loader", "UPDATE ops.dead_letters SET attempt = 1 WHERE false", ALLOWED),
    ("shopflow_loader", "DELETE FROM staging.orders WHERE false", DENIED),
    ("shopflow_loader", "SELECT 1 FROM warehouse.fact_orders", DENIED),
    ("shopflow_loader", "SELECT 1 FROM marts.daily_sales", DENIED),
    ("shopflow_transformer", "DELETE FROM warehouse.fact_orders WHERE false", ALLOWED),
    ("shopflow_transformer", "DELETE FROM marts.daily_sales WHERE false", ALLOWED),
    ("shopflow_transformer", "INSERT INTO staging.orders (order_id) SELECT NULL WHERE false",
     DENIED),
    ("shopflow_transformer", "UPDATE ops.dead_letters SET attempt = 1 WHERE false", DENIED),
    ("shopflow_api", "SELECT 1 FROM marts.daily_sales", ALLOWED),
    ("shopflow_api", "SELECT 1 FROM ops.dead_letters", ALLOWED),
    ("shopflow_api", "SELECT sha256 FROM ops.ingested_files", ALLOWED),
    ("shopflow_api", "SELECT status FROM ops.ingested_files", DENIED),
    ("shopflow_api", "SELECT 1 FROM ops.outbox", DENIED),
    ("shopflow_api", "INSERT INTO ops.dlq_replays (replay_id) SELECT NULL WHERE false",
     ALLOWED),
    ("shopflow_api", "UPDATE ops.dead_letters SET attempt = 1 WHERE false", DENIED),
    ("shopflow_api", "DELETE FROM marts.daily_sales WHERE false", DENIED),
    ("shopflow_api", "SELECT 1 FROM staging.customers", DENIED),
    ("shopflow_api", "SELECT 1 FROM warehouse.dim_customer", DENIED),
    ("shopflow_api", "SELECT 1 FROM access.api_keys", DENIED),
    ("shopflow_api", "SELECT access.key_scopes('000000000000', '\\x00')", ALLOWED),
    ("shopflow_reader", "SELECT 1 FROM marts.daily_sales", DENIED),
    ("shopflow_reader", "SELECT 1 FROM warehouse.dim_customer", DENIED),
    ("shopflow_reader", "SELECT 1 FROM ops.batches", DENIED),
    ("shopflow_reader", "SELECT access.key_scopes('000000000000', '\\x00')", DENIED),
    ("shopflow_reader", "CREATE VIEW reporting.mine AS SELECT 1", DENIED),
    ("shopflow_reader", "CREATE TABLE public.mine (x int)", DENIED),
]


def built_reporting_views(conn: psycopg.Connection) -> None:
    """A view in each reporting schema, made by the transformer as dbt makes them."""
    conn.execute("SET ROLE shopflow_transformer")
    conn.execute("CREATE VIEW reporting.probe AS SELECT 1 AS x")
    conn.execute("CREATE VIEW reporting_personal.probe AS SELECT 1 AS x")
    conn.execute("RESET ROLE")


def test_the_documented_role_table_is_what_postgresql_grants(database: TestDatabase) -> None:
    with psycopg.connect(database.url) as conn:
        built_reporting_views(conn)
        actual = actual_matrix(conn)
    assert documented_matrix(SECURITY_MD) == actual


def _try(url: str, statement: str) -> bool:
    with psycopg.connect(url) as conn:
        try:
            conn.execute(statement)
        except psycopg.errors.InsufficientPrivilege:
            return False
        finally:
            conn.rollback()
    return True


@pytest.mark.parametrize(("role", "statement", "allowed"), ATTEMPTS,
                         ids=[f"{r}:{s[:40]}" for r, s, _ in ATTEMPTS])
def test_each_role_does_its_job_and_nothing_else(database: TestDatabase, role: str,
                                                 statement: str, allowed: bool) -> None:
    assert _try(database.url_as(role), statement) is allowed
