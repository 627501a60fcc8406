"""Real Prometheus and Alertmanager for a test, configured from the repository's files
(ops/prometheus/rules, ops/alertmanager) with short intervals, plus a webhook receiver."""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.platform import free_port

OPS = Path(__file__).resolve().parents[2] / "ops"


class WebhookReceiver:
    """A tiny HTTP server keeping every alert Alertmanager posts to it."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        received = self.alerts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.extend(json.loads(body)["alerts"])
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alerts"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def firing(self, alertname: str) -> list[dict[str, Any]]:
        return [a for a in list(self.alerts)
                if a["labels"]["alertname"] == alertname and a["status"] == "firing"]

    def close(self) -> None:
        self.server.shutdown()


def _binary(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    pytest.fail(f"{names[0]} is not installed: run scripts/monitoring/monitoring.sh prereqs")


def _rules_with_short_for(directory: Path) -> Path:
    """The repository's rules with every `for:` cut to 0s, so a test need not wait."""
    out = directory / "rules"
    out.mkdir()
    for path in sorted((OPS / "prometheus" / "rules").glob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in document["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = "0s"
        (out / path.name).write_text(yaml.safe_dump(document), encoding="utf-8")
    return out


class MonitoringStack:
    def __init__(self, directory: Path, targets: dict[str, str], webhook_url: str) -> None:
        self.dir = directory
        self.prometheus_port, self.alertmanager_port = free_port(), free_port()
        self.procs: list[subprocess.Popen[bytes]] = []
        self._write_alertmanager_config(webhook_url)
        self._write_prometheus_config(targets)

    def _write_alertmanager_config(self, webhook_url: str) -> None:
        config = yaml.safe_load((OPS / "alertmanager" / "alertmanager.yml").read_text())
        config["route"].update(group_wait="1s", group_interval="1s", repeat_interval="1h")
        for receiver in config["receivers"]:
            for hook in receiver.get("webhook_configs", []):
                hook["url"] = webhook_url
        (self.dir / "alertmanager.yml").write_text(yaml.safe_dump(config))

    def _write_prometheus_config(self, targets: dict[str, str]) -> None:
        rules = _rules_with_short_for(self.dir)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s",
                       "scrape_timeout": "900ms"},
            "rule_files": [str(rules / "*.yml")],
            "alerting": {"alertmanagers": [{"static_configs": [
                {"targets": [f"127.0.0.1:{self.alertmanager_port}"]}]}]},
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": [address]}]}
                               for job, address in targets.items()],
        }
        (self.dir / "prometheus.yml").write_text(yaml.safe_dump(config))

    def start(self) -> None:
        self._spawn("alertmanager", [
            _binary("prometheus-alertmanager", "alertmanager"),
            f"--config.file={self.dir / 'alertmanager.yml'}",
            f"--storage.path={self.dir / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{self.alertmanager_port}",
            "--cluster.listen-address="])
        self._spawn("prometheus", [
            _binary("prometheus"), f"--config.file={self.dir / 'prometheus.yml'}",
            f"--storage.tsdb.path={self.dir / 'prom-data'}",
            f"--web.listen-address=127.0.0.1:{self.prometheus_port}",
            "--rules.alert.resend-delay=1s"])
        for port in (self.alertmanager_port, self.prometheus_port):
            self._wait_ready(port)

    def _spawn(self, name: str, command: list[str]) -> None:
        log = (self.dir / f"{name}.log").open("ab")
        self.procs.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))

    def _wait_ready(self, port: int) -> None:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"port {port} never became ready\n{self.logs()}")

    def query(self, promql: str) -> list[dict[str, Any]]:
        url = (f"http://127.0.0.1:{self.prometheus_port}/api/v1/query?"
               + urllib.parse.urlencode({"query": promql}))
        with urllib.request.urlopen(url, timeout=5) as response:
            result: list[dict[str, Any]] = json.loads(response.read())["data"]["result"]
            return result

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
                         for p in sorted(self.dir.glob("*.log")))

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
