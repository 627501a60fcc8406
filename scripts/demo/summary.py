"""Wait until every generated batch is built into the warehouse, then print the demo summary:
the dashboard URL, the KPIs (from the API, checked against the generator's truth) and what
went to the dead letters and quarantine, and why."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import psycopg

from shopflow.runtime.settings import get_settings

LOGS = Path(os.environ.get("SHOPFLOW_DEMO_DIR", ".infra/demo")) / "logs"


def built_batches(conn: psycopg.Connection, batch_ids: list[str]) -> int:
    row = conn.execute(
        "SELECT count(*) FROM ops.batches b WHERE b.batch_id = ANY(%s) AND b.completions >= 1"
        " AND EXISTS (SELECT 1 FROM ops.builds w WHERE w.batch_id = b.batch_id"
        " AND w.batch_sequence = b.completions AND w.status <> 'running')",
        (batch_ids,)).fetchone()
    return int(row[0]) if row else 0


def wait_for_builds(url: str, batch_ids: list[str], deadline: float) -> None:
    done, unreachable = -1, ""
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(url, connect_timeout=5) as conn:
                now = built_batches(conn, batch_ids)
        except psycopg.OperationalError as exc:
            now, unreachable = done, str(exc).strip().splitlines()[0]
        else:
            unreachable = ""
        if now != done:
            print(f"  {now}/{len(batch_ids)} batches built", flush=True)
            done = now
        if done == len(batch_ids):
            return
        time.sleep(2)
    why = f"the database is unreachable ({unreachable})" if unreachable else \
        f"{max(done, 0)}/{len(batch_ids)} batches built"
    sys.exit(f"demo: timed out (DEMO_TIMEOUT): {why}; service logs in {LOGS}/")


def wait_for_api(port: int, deadline: float) -> None:
    """After `make down` the services start again: the API may not listen yet."""
    reason = "not started"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5):
                return
        except urllib.error.HTTPError:
            return  # it answers (503 = degraded, which the KPIs below will show)
        except OSError as exc:
            reason = str(getattr(exc, "reason", exc))
        time.sleep(1)
    sys.exit(f"demo: the API on port {port} did not answer ({reason});"
             f" see {LOGS}/dashboard_api.log")


def api(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as resp:
        return json.loads(resp.read())


def print_dead_letters(url: str) -> None:
    with psycopg.connect(url) as conn:
        letters = conn.execute(
            "SELECT entity, code, count(*) FROM ops.dead_letters, unnest(codes) AS code"
            " WHERE resolved_at IS NULL GROUP BY 1, 2 ORDER BY 1, 2").fetchall()
        files = conn.execute(
            "SELECT batch_id, file_name, status, coalesce(code, ''), coalesce(reason, '')"
            " FROM ops.batch_files WHERE status IN ('quarantined', 'skipped')"
            " ORDER BY 1, 2").fetchall()
    total = sum(n for _, _, n in letters)
    print(f"\nDead letters: {total} (shopflow dlq list | export | replay)")
    for entity, code, count in letters:
        print(f"  {entity:<12} {code:<15} {count}")
    print(f"Files not published: {len(files)}")
    for batch_id, name, status, code, reason in files:
        print(f"  {batch_id}/{name}: {status} {code} {reason[:70]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--truth", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    settings = get_settings()
    truth = json.loads(args.truth.read_text())
    deadline = time.monotonic() + args.timeout
    wait_for_builds(settings.database_url, sorted(truth["batches"]), deadline)
    wait_for_api(settings.api_port, deadline)
    days = sorted(truth["metrics"]["daily"])
    kpis = api(settings.api_port, f"/api/v1/kpis?start={days[0]}&end={days[-1]}")
    expected = truth["metrics"]["totals"]
    print(f"\nDashboard: http://localhost:{settings.api_port}/   (API docs: /docs)")
    print(f"KPIs {days[0]} .. {days[-1]}:")
    for key in ("revenue", "orders", "aov", "units", "customers", "new_customers",
                "sessions", "conversion_rate"):
        check = ""
        if key in expected:
            check = "  (= truth)" if str(kpis[key]) == str(expected[key]) else \
                f"  (truth {expected[key]}!)"
        print(f"  {key:<16} {kpis[key]}{check}")
    print_dead_letters(settings.database_url)


if __name__ == "__main__":
    main()
