"""Prometheus metrics and /health over one small HTTP server per service."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

log = logging.getLogger(__name__)

RECORDS_IN = Counter("shopflow_records_in_total", "Records consumed", ["service", "entity"])
RECORDS_OUT = Counter("shopflow_records_out_total", "Records produced or written",
                      ["service", "entity"])
RECORDS_REJECTED = Counter("shopflow_records_rejected_total", "Records dead-lettered",
                           ["service", "entity", "code"])
BATCH_SECONDS = Histogram("shopflow_batch_seconds", "Time to process one message batch",
                          ["service"])
BUILD_SECONDS = Histogram("shopflow_build_seconds", "Warehouse build duration", ["status"],
                          buckets=(0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600))
BUILDS_GIVEN_UP = Counter("shopflow_builds_given_up_total",
                          "Warehouse builds the transformer stopped retrying")
CONSUMER_LAG = Gauge("shopflow_consumer_lag", "Messages behind the partition end",
                     ["service", "topic", "partition"])

HealthCheck = Callable[[], dict[str, bool]]


def _handler_class(service: str, health: HealthCheck) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif self.path == "/health":
                checks = health()
                ok = all(checks.values())
                body = json.dumps({"service": service, "ok": ok, "checks": checks}).encode()
                self._send(200 if ok else 503, body, "application/json")
            else:
                self._send(404, b"not found", "text/plain")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def start_http_server(service: str, host: str, port: int,
                      health: HealthCheck) -> ThreadingHTTPServer:
    """Serve /metrics and /health in a daemon thread; port 0 picks a free port."""
    server = ThreadingHTTPServer((host, port), _handler_class(service, health))
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    log.info("metrics and health listening", extra={"port": server.server_address[1]})
    return server
