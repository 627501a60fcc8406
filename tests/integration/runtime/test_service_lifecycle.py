"""Every service starts as `python -m services.<name>`, answers /health and stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from shopflow.runtime.settings import Settings
from tests.conftest import settings_env

pytestmark = pytest.mark.integration

WORKERS = ["ingestor", "validator", "loader", "transformer"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_health(url: str, proc: subprocess.Popen[bytes], seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                return json.loads(response.read())
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} never answered")


def _stop(proc: subprocess.Popen[bytes]) -> float:
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=20)
    return time.monotonic() - started


@pytest.mark.parametrize("service", [*WORKERS, "dashboard_api"])
def test_service_starts_serves_health_and_stops_on_sigterm(
        service: str, platform_settings: Settings) -> None:
    port = _free_port()
    settings = platform_settings.model_copy(update={"metrics_port": port, "api_port": port})
    proc = subprocess.Popen([sys.executable, "-m", f"services.{service}"],
                            env=settings_env(settings), stderr=subprocess.PIPE)
    try:
        health = _wait_for_health(f"http://127.0.0.1:{port}/health", proc)
        healthy = health["status"] == "ok" if service == "dashboard_api" else health["ok"]
        assert healthy is True, health
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
            assert b"# HELP" in resp.read()
        assert _stop(proc) < 15
        # uvicorn shuts down gracefully, then re-raises the captured SIGTERM by design.
        clean_exits = (0, -signal.SIGTERM) if service == "dashboard_api" else (0,)
        assert proc.returncode in clean_exits
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
