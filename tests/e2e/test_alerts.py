"""Alerts end to end: real Prometheus scrapes real service processes (the dashboard API's
ledger metrics and a validator), evaluates the repository's alert rules and hands the
alerts to a real Alertmanager, which posts them to a webhook receiver of this test.

A quality check fails through the real build path (shopflow.warehouse.run_build over
staging rows with a negative unit price) and the validator is SIGKILLed; both alerts
must arrive. The rules' `for:` durations are cut to 0s for the test (monitoring_stack).
"""

from __future__ import annotations

import signal
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics
from tests.conftest import TestDatabase
from tests.e2e.monitoring_stack import MonitoringStack, WebhookReceiver
from tests.e2e.platform import Platform, free_port
from tests.integration.transformer.scenario import Warehouse, customer, line, order, product

pytestmark = pytest.mark.e2e

ALERT_TIMEOUT_S = 120


@pytest.fixture
def platform(platform_settings: Settings, tmp_path: Path) -> Iterator[Platform]:
    settings = platform_settings.model_copy(update={
        "metrics_port": free_port(), "api_key": SecretStr("e2e-alerts-key-0123456789")})
    create_topics(settings)
    platform = Platform(settings, tmp_path / "logs")
    platform.start("dashboard_api")
    platform.start("validator")
    # Both must answer before Prometheus starts: with `for: 0s` a slow start is "down".
    for port in (platform.api_port, settings.metrics_port):
        platform.wait_for(lambda port=port: _answers(port), 60, f"/metrics on {port}")
    yield platform
    platform.stop_all()


def _answers(port: int) -> bool:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.status == 200


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def monitoring(platform: Platform, webhook: WebhookReceiver,
               tmp_path: Path) -> Iterator[MonitoringStack]:
    directory = tmp_path / "monitoring"
    directory.mkdir()
    stack = MonitoringStack(directory, {
        "shopflow-api": f"127.0.0.1:{platform.api_port}",
        "shopflow-validator": f"127.0.0.1:{platform.settings.metrics_port}",
    }, webhook.url)
    stack.start()
    yield stack
    stack.stop()


def _fail_a_quality_check(database: TestDatabase) -> None:
    """A build over an order line with a negative unit price: negative_amounts fails."""
    warehouse = Warehouse(database)
    warehouse.stage("b-alert", "2026-01-05",
                    customers=[customer("C1", "gold", "2026-01-05T08:00:00Z")],
                    products=[product("P1", "Books", "2026-01-05T08:00:00Z")],
                    orders=[order("O1", "C1", "2026-01-05T10:00:00Z")],
                    order_items=[line("O1", 1, "P1", quantity=2)])
    with psycopg.connect(database.url) as conn:
        conn.execute("UPDATE staging.order_items SET unit_price = -5 WHERE order_id = 'O1'")
    result = warehouse.build("b-alert")
    assert result.status == "failed_quality"
    assert "negative_amounts" in result.stats["checks"]["failed"]


def _wait(what: str, condition, stack: MonitoringStack, platform: Platform) -> None:
    deadline = time.monotonic() + ALERT_TIMEOUT_S
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}\n{stack.logs()}\n{platform.logs_tail()}")


def test_failed_quality_check_and_dead_service_reach_the_webhook(
        platform: Platform, monitoring: MonitoringStack, webhook: WebhookReceiver,
        database: TestDatabase) -> None:
    def both_targets_up() -> bool:
        up = {r["metric"]["job"]: r["value"][1] for r in monitoring.query("up")}
        ops = monitoring.query("shopflow_ops_up")
        return up == {"shopflow-api": "1", "shopflow-validator": "1"} and bool(ops) and \
            ops[0]["value"][1] == "1"

    _wait("Prometheus scraping both services", both_targets_up, monitoring, platform)
    assert webhook.firing("ShopflowQualityCheckFailed") == []
    assert webhook.firing("ShopflowServiceDown") == []

    _fail_a_quality_check(database)
    validator = platform.procs["validator"][0]
    validator.send_signal(signal.SIGKILL)
    validator.wait(timeout=10)

    _wait("both alerts at the webhook",
          lambda: bool(webhook.firing("ShopflowQualityCheckFailed"))
          and bool(webhook.firing("ShopflowServiceDown")), monitoring, platform)
    quality = webhook.firing("ShopflowQualityCheckFailed")[0]
    assert quality["labels"]["check"] == "negative_amounts"
    assert quality["labels"]["severity"] == "critical"
    assert quality["annotations"]["runbook"] == "docs/operations.md#shopflowqualitycheckfailed"
    assert {a["labels"]["job"] for a in webhook.firing("ShopflowServiceDown")} == {
        "shopflow-validator"}
    assert {a["labels"]["alertname"] for a in webhook.alerts} <= {
        "ShopflowQualityCheckFailed", "ShopflowServiceDown", "ShopflowDataStale"}
