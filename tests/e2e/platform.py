"""Runs the five services as real processes for end-to-end tests, and watches the outcome."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from shopflow.runtime.settings import Settings
from tests.conftest import settings_env

SERVICES = ("ingestor", "validator", "loader", "transformer", "dashboard_api")


def port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Platform:
    """The services of one test, each possibly several processes, logs in one folder."""

    def __init__(self, settings: Settings, log_dir: Path) -> None:
        self.api_port = free_port()
        self.settings = settings.model_copy(update={"api_port": self.api_port,
                                                    "api_host": "127.0.0.1"})
        self.log_dir = log_dir
        self.procs: dict[str, list[subprocess.Popen[bytes]]] = {s: [] for s in SERVICES}
        log_dir.mkdir(parents=True, exist_ok=True)

    def start(self, service: str, count: int = 1) -> None:
        for _ in range(count):
            index = len(self.procs[service])
            log = (self.log_dir / f"{service}-{index}.log").open("ab")
            self.procs[service].append(subprocess.Popen(
                [sys.executable, "-m", f"services.{service}"],
                env=settings_env(self.settings), stdout=log, stderr=subprocess.STDOUT))

    def start_all(self, validators: int = 1, loaders: int = 1) -> None:
        for service in SERVICES:
            count = {"validator": validators, "loader": loaders}.get(service, 1)
            self.start(service, count)

    def kill(self, service: str) -> None:
        """SIGKILL every process of a service (no chance to flush or commit)."""
        for proc in self.procs[service]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)
        count = len(self.procs[service])
        self.procs[service] = []
        self.start(service, count)

    def stop_all(self) -> None:
        for procs in self.procs.values():
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
        for procs in self.procs.values():
            for proc in procs:
                try:
                    proc.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()

    def crashed(self) -> list[str]:
        return [f"{s} exited {p.returncode}" for s, procs in self.procs.items()
                for p in procs if p.poll() is not None]

    def logs_tail(self, lines: int = 15) -> str:
        out = []
        for path in sorted(self.log_dir.glob("*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(out)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.settings.database_url, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchall()

    def api(self, path: str) -> Any:
        url = f"http://127.0.0.1:{self.api_port}{path}"
        with urllib.request.urlopen(url, timeout=10) as response:
            return json.loads(response.read())

    def wait_for(self, condition: Callable[[], bool], timeout: float, what: str,
                 interval: float = 1.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if condition():
                    return
            except (psycopg.OperationalError, OSError):
                pass  # the database or API may be restarting: keep waiting
            time.sleep(interval)
        raise AssertionError(f"timed out waiting for {what}\n{self.logs_tail()}")

    def batches_built(self, batch_ids: list[str]) -> bool:
        """Every batch completed and its latest completion built into the warehouse."""
        rows = self.query(
            "SELECT b.batch_id FROM ops.batches b WHERE b.batch_id = ANY(%s)"
            " AND b.completions >= 1 AND EXISTS (SELECT 1 FROM ops.builds w"
            "  WHERE w.batch_id = b.batch_id AND w.batch_sequence = b.completions"
            "  AND w.status IN ('succeeded', 'failed_quality'))", (batch_ids,))
        running = self.query("SELECT count(*) FROM ops.builds WHERE status = 'running'")
        return len(rows) == len(batch_ids) and running[0][0] == 0
