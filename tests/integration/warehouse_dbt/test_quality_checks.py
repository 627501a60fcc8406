"""The per-build quality tests fail on bad rows of the build's scope and say which."""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import TestDatabase as Database
from tests.integration.transformer.scenario import Warehouse, customer, line, order, product

pytestmark = pytest.mark.integration


def test_a_value_outside_the_contract_enums_fails_accepted_values(database: Database) -> None:
    wh = Warehouse(database)
    wh.stage("b1", "2026-01-01", customers=[customer("C1", "gold", "2026-01-01T00:00:00Z")],
             products=[product("P1", "Toys", "2026-01-01T00:00:00Z")],
             orders=[order("O1", "C1", "2026-01-01T09:00:00Z")],
             order_items=[line("O1", 1, "P1", 2)])
    with psycopg.connect(database.url) as conn:  # bypasses the contracts on purpose
        conn.execute("UPDATE staging.orders SET channel = 'carrier pigeon'")
    result = wh.build("b1")
    assert result.status == "failed_quality"
    assert result.stats["checks"]["failed"] == ["accepted_values"]
    assert wh.rows("SELECT observed, details->>'dbt_test' FROM ops.quality_checks"
                   " WHERE build_id = %s AND check_name = 'accepted_values'",
                   result.build_id) == [(1, "test.shopflow.accepted_values")]
