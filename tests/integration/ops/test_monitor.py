"""`shopflow monitor run`: outliers injected into the facts and a sudden volume drop are
found (warn, with the offending keys), stored, and visible through the API."""

from __future__ import annotations

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.ops.monitor import run_monitor
from shopflow.runtime.settings import Settings
from tests.conftest import TestDatabase
from tests.integration.api.conftest import api_settings

pytestmark = pytest.mark.integration


def _settings(database: TestDatabase) -> Settings:
    return Settings(database_url=database.url,
                    transformer_database_url=database.url_as("shopflow_transformer"))


def _by_name(database: TestDatabase) -> dict:
    _, outcomes = run_monitor(_settings(database))
    return {o.check_name: o for o in outcomes}


def _inject(url: str) -> tuple[list[str], str]:
    """Two orders of the last day 40 times larger, one line with 400 units, and a tenth
    of the usual orders file on the last business date."""
    with psycopg.connect(url) as conn:
        orders = [r[0] for r in conn.execute(
            "SELECT order_id FROM warehouse.fact_orders WHERE order_date ="
            " (SELECT max(order_date) FROM warehouse.fact_orders) ORDER BY order_id LIMIT 2")]
        conn.execute("UPDATE warehouse.fact_orders SET net_amount = net_amount * 40 + 5000"
                     " WHERE order_id = ANY(%s)", (orders,))
        line = conn.execute(
            "UPDATE warehouse.fact_order_items SET quantity = 400 WHERE (order_id, line_number)"
            " = (SELECT order_id, line_number FROM warehouse.fact_order_items WHERE order_date"
            " = (SELECT max(order_date) FROM warehouse.fact_order_items)"
            " ORDER BY order_id, line_number LIMIT 1) RETURNING order_id || ':' || line_number"
        ).fetchone()[0]
        conn.execute(
            "UPDATE ops.batch_files f SET records_published = f.records_published / 10"
            " FROM ops.batches b WHERE b.batch_id = f.batch_id AND f.entity = 'orders'"
            " AND b.business_date = (SELECT max(business_date) FROM ops.batches)")
    return orders, line


def test_injected_outliers_and_volume_drop_warn_with_their_keys(ops_copy: TestDatabase
                                                                ) -> None:
    clean = _by_name(ops_copy)
    assert clean["volume.orders"].status == "pass"
    assert {c.status for c in clean.values()} <= {"pass", "warn"}
    orders, line = _inject(ops_copy.url)
    for name in ("outliers.order_totals", "outliers.line_quantities"):
        assert not {*orders, line} & set(clean[name].details["keys"])

    found = _by_name(ops_copy)
    totals, quantities = found["outliers.order_totals"], found["outliers.line_quantities"]
    assert totals.status == "warn" and set(totals.details["keys"][:2]) == set(orders)
    assert quantities.status == "warn" and quantities.details["keys"][0] == line
    assert found["volume.orders"].status == "warn"
    assert float(found["volume.orders"].observed) < 0.5
    assert found["volume.customers"].status == "pass"
    assert {found[f"freshness.{e}"].status for e in ("orders", "customers")} == {"pass"}

    with TestClient(create_app(api_settings(ops_copy)), raise_server_exceptions=False) as api:
        history = api.get("/api/v1/quality/history",
                          params={"check": "outliers.order_totals", "source": "monitor"})
        assert history.status_code == 200
        latest, earlier = history.json()["items"]
        assert latest["status"] == "warn" and latest["run_id"] > earlier["run_id"]
        assert set(latest["details"]["keys"][:2]) == set(orders)
        monitor = api.get("/api/v1/monitor").json()
        assert monitor["status"] == "warn" and monitor["run_id"] == latest["run_id"]
        assert [c["status"] for c in monitor["checks"][:3]] == ["warn"] * 3  # worst first
        assert {"outliers.order_totals", "outliers.line_quantities", "volume.orders"} <= {
            c["check_name"] for c in monitor["checks"] if c["status"] == "warn"}
        metrics = api.get("/metrics").text
    assert ('shopflow_quality_check_status{check="outliers.order_totals",source="monitor"} 1.0'
            in metrics)
