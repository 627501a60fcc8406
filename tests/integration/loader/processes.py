"""Running the real loader service (`python -m services.loader`) as a subprocess."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from shopflow.runtime.settings import Settings
from tests.conftest import settings_env
from tests.integration.loader.throwaway_pg import free_port


class LoaderProcess:
    def __init__(self, settings: Settings, log_dir: Path, name: str = "loader",
                 **env: str) -> None:
        self.settings, self.log_dir, self.name = settings, log_dir, name
        self.metrics_port = free_port()
        self.env = {**settings_env(settings), "SHOPFLOW_METRICS_PORT": str(self.metrics_port),
                    **env}
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self, **env: str) -> LoaderProcess:
        self.starts += 1
        log = (self.log_dir / f"{self.name}-{self.starts}.log").open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "services.loader"],
                                     env={**self.env, **env}, stdout=log,
                                     stderr=subprocess.STDOUT)
        log.close()
        return self

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def assert_running(self) -> None:
        assert self.running, f"loader exited ({self.proc and self.proc.returncode}):\n" \
                             f"{self.log_tail()}"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self, timeout: float = 20) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        return self.proc.returncode

    def get(self, path: str) -> tuple[int, str]:
        """GET /health or /metrics: (status, body)."""
        try:
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.metrics_port}{path}", timeout=5) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def rows_written(self) -> float:
        """shopflow_records_out_total of this process, all entities."""
        _, body = self.get("/metrics")
        pattern = r'^shopflow_records_out_total\{[^}]*service="loader"[^}]*\} (\S+)$'
        return sum(float(v) for v in re.findall(pattern, body, re.MULTILINE))

    def log_tail(self, lines: int = 30) -> str:
        path = self.log_dir / f"{self.name}-{self.starts}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def log_text(self) -> str:
        return "\n".join((self.log_dir / f"{self.name}-{i}.log").read_text(errors="replace")
                         for i in range(1, self.starts + 1))
