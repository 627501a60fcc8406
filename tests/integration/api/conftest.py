"""Fixtures of the API tests: one warehouse built from generated data for the whole
session (read-only tests share it), and clients of the real app over it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.runtime.settings import Settings
from tests.conftest import TestDatabase
from tests.integration.api.warehouse import (
    LoadedWarehouse,
    build_warehouse,
    generate_run,
    record_ledger,
    scratch_database,
)

API_KEY = "test-key-0123456789"
DAYS, ORDERS_PER_DAY = 20, 30


def api_settings(database: TestDatabase, **overrides: object) -> Settings:
    return Settings(database_url=database.url,
                    api_database_url=database.url_as("shopflow_api"),
                    api_key=API_KEY, **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def warehouse(migrated_template: str,
              tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedWarehouse]:
    run = generate_run(tmp_path_factory.mktemp("api") / "run", DAYS, ORDERS_PER_DAY)
    with scratch_database() as database:
        build_warehouse(database, run)
        record_ledger(database, run)
        with scratch_database(database.name) as snapshot:
            yield LoadedWarehouse(database, snapshot, run)


@pytest.fixture(scope="session")
def client(warehouse: LoadedWarehouse, kafka_bootstrap: str) -> Iterator[TestClient]:
    """The real app (API role, real pool) over the session's warehouse; read-only use."""
    app = create_app(api_settings(warehouse.database, kafka_bootstrap=kafka_bootstrap))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def fresh_client(database: TestDatabase, kafka_bootstrap: str,
                 unique_prefix: str) -> Iterator[TestClient]:
    """The app over this test's own (empty, migrated) database, for tests that write."""
    app = create_app(api_settings(database, kafka_bootstrap=kafka_bootstrap,
                                  topic_prefix=unique_prefix, topic_partitions=1))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def warehouse_copy(warehouse: LoadedWarehouse) -> Iterator[TestDatabase]:
    """A private copy of the loaded warehouse, for a test that writes."""
    with scratch_database(warehouse.snapshot.name) as copy:
        yield copy
