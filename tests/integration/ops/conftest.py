"""A warehouse built from 30 generated days, with the loader's ledger, shared read-only
by the module; tests that write take a copy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import TestDatabase
from tests.integration.api.warehouse import (
    LoadedWarehouse,
    build_warehouse,
    generate_run,
    record_ledger,
    scratch_database,
)


@pytest.fixture(scope="session")
def ops_warehouse(migrated_template: str,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedWarehouse]:
    run = generate_run(tmp_path_factory.mktemp("ops") / "run", days=30, orders_per_day=20,
                       seed=5)
    with scratch_database() as database:
        build_warehouse(database, run)
        record_ledger(database, run)
        with scratch_database(database.name) as snapshot:
            yield LoadedWarehouse(database, snapshot, run)


@pytest.fixture
def ops_copy(ops_warehouse: LoadedWarehouse) -> Iterator[TestDatabase]:
    with scratch_database(ops_warehouse.snapshot.name) as copy:
        yield copy
