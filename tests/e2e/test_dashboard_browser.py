"""The web dashboard in headless Chromium (Debian's package, driven by playwright-core
from npm), served by the real API process over a database built from generated data."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from shopflow.runtime.settings import Settings
from tests.conftest import TestDatabase, settings_env
from tests.integration.api.truth import first_and_last_day, range_totals
from tests.integration.api.warehouse import (
    build_warehouse,
    generate_run,
    record_ledger,
    scratch_database,
)

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
DRIVER = Path(__file__).with_name("dashboard_browser.mjs")
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="module", autouse=True)
def browser_tools() -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium")
    if shutil.which("node") is None or not (REPO / "node_modules" / "playwright-core").exists():
        pytest.fail("node packages are missing: run `npm ci` in the repository root")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_api(database: TestDatabase, **overrides: object) -> Iterator[str]:
    """`python -m services.dashboard_api` as its own process, until /health says ok."""
    port = _free_port()
    settings = Settings(database_url=database.url, api_database_url=database.url_as(
        "shopflow_api"), api_host="127.0.0.1", api_port=port, log_level="WARNING",
        **overrides)  # type: ignore[arg-type]
    process = subprocess.Popen([sys.executable, "-m", "services.dashboard_api"], cwd=REPO,
                               env=settings_env(settings))
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, "the API process exited"
            try:
                if httpx.get(f"{url}health", timeout=2).json()["checks"]["database"]["ok"]:
                    break
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.2)
        else:
            raise AssertionError("the API did not become healthy")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def open_dashboard(url: str, screenshot: Path) -> dict:
    ARTIFACTS.mkdir(exist_ok=True)
    done = subprocess.run(["node", str(DRIVER), url, str(screenshot), str(CHROMIUM)],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert screenshot.stat().st_size > 20_000
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_dashboard_shows_the_truths_revenue_with_all_charts(
        migrated_template: str, tmp_path: Path) -> None:
    run = generate_run(tmp_path / "run", days=10, orders_per_day=20, seed=3)
    with scratch_database() as database:
        build_warehouse(database, run)
        record_ledger(database, run)
        with running_api(database) as url:
            page = open_dashboard(url, ARTIFACTS / "dashboard.png")
    assert page["problems"] == [] and page["external_requests"] == []
    assert page["state"] == "ready", page["status"]
    assert all(chart["rendered"] and not chart["hidden"] for chart in page["charts"].values())
    assert set(page["charts"]) == {"chart-sales", "chart-categories", "chart-funnel",
                                   "chart-attribution"}
    # Default range: the last 30 days present, i.e. here the whole 10-day run.
    first, last = first_and_last_day(run.truth)
    assert (page["start"], page["end"]) == (first.isoformat(), last.isoformat())
    expected = range_totals(run.truth, first, last)
    revenue = page["kpis"]["revenue"]
    assert revenue["value"] == f"{expected['revenue']:.2f}"
    assert revenue["text"] == f"{expected['revenue']:,.2f}"
    assert page["kpis"]["orders"]["value"] == str(expected["orders"])
    assert page["rows"]["products"] > 0 and page["rows"]["batches"] > 0
    assert page["rows"]["quality"] > 0 and page["notice"] is None


def test_empty_warehouse_says_no_data_yet_without_errors(database: TestDatabase) -> None:
    with running_api(database) as url:
        page = open_dashboard(url, ARTIFACTS / "dashboard-empty.png")
    assert page["problems"] == [] and page["state"] == "ready", page
    assert page["notice"] and "No data yet" in page["notice"]
    assert page["kpis"]["revenue"]["text"] == "0.00"
    assert not any(chart["rendered"] for chart in page["charts"].values())
    assert page["empties"] >= 6
