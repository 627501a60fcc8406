"""Latency of /api/v1/kpis and /api/v1/sales under concurrent load (localhost only).

Builds a warehouse from `shopflow generate` data (staging filled by the test helper,
then one full-refresh build), starts the real API process (`python -m
services.dashboard_api`), and sends a bounded number of requests from N concurrent
httpx clients with varied date ranges. Prints p50/p95/p99 per endpoint.

    python bench/bench_api.py --days 180 --orders-per-day 100 --clients 8 --requests 2000

The database `bench_api_<days>d_<orders>o` is kept for re-runs (--rebuild to redo it,
--drop to remove it at the end). Needs the local PostgreSQL (SHOPFLOW_DATABASE_URL);
Kafka only for /health.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import httpx
import psycopg
from psycopg import sql

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.databases import drop_database  # noqa: E402
from shopflow.db.connect import with_database, with_user  # noqa: E402
from shopflow.db.migrate import upgrade  # noqa: E402
from shopflow.generate import GenerationConfig, generate  # noqa: E402
from shopflow.warehouse import BuildRequest, run_build  # noqa: E402
from tests.integration.transformer.staging_files import GeneratedRun, load_batch  # noqa: E402

START = date(2025, 6, 1)


def admin_url() -> str:
    return os.environ.get("SHOPFLOW_DATABASE_URL", "postgresql://shopflow@127.0.0.1:5432/shopflow")


def prepare(args: argparse.Namespace) -> str:
    """The owner URL of a built warehouse of the requested size (reused when present)."""
    name = f"bench_api_{args.days}d_{args.orders_per_day}o"
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not args.rebuild:
            print(f"reusing database {name}")
            return with_database(admin_url(), name)
    url = with_database(admin_url(), name)
    drop_database(admin_url(), url)
    with psycopg.connect(admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    upgrade(url)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.monotonic()
        out = Path(tmp) / "run"
        generate(GenerationConfig(days=args.days, orders_per_day=args.orders_per_day, seed=42,
                                  defect_rate=0.01, start=START, out=out))
        run = GeneratedRun(out)
        print(f"generated {args.days} days in {time.monotonic() - started:.0f}s")
        started = time.monotonic()
        dead = run.dead_letters()
        with psycopg.connect(url) as conn:
            for batch_id in run.batch_ids():
                load_batch(conn, run, batch_id, dead)
                conn.commit()
        print(f"staging loaded in {time.monotonic() - started:.0f}s")
    started = time.monotonic()
    run_build(with_user(url, "shopflow_transformer"), BuildRequest(full_refresh=True))
    print(f"warehouse built in {time.monotonic() - started:.0f}s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_api(url: str, port: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, SHOPFLOW_DATABASE_URL=url,
               SHOPFLOW_API_DATABASE_URL=with_user(url, "shopflow_api"),
               SHOPFLOW_API_HOST="127.0.0.1", SHOPFLOW_API_PORT=str(port),
               SHOPFLOW_LOG_LEVEL="WARNING")
    process = subprocess.Popen([sys.executable, "-m", "services.dashboard_api"], cwd=REPO,
                               env=env)
    for _ in range(150):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/warehouse", timeout=2).is_success:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the API did not start")


def request_mix(last: date, days: int, count: int, rng: random.Random) -> list[tuple[str, dict]]:
    """Dashboard-like requests: mostly 30-day windows, some 7 and 90 days, all grains."""
    mix = []
    for i in range(count):
        length = rng.choice([7, 30, 30, 30, 90])
        end = last - timedelta(days=rng.randrange(max(days - length, 1)))
        params = {"start": (end - timedelta(days=length - 1)).isoformat(),
                  "end": end.isoformat()}
        if i % 2:
            mix.append(("/api/v1/sales", {**params, "grain": rng.choice(["day", "week", "month"])}))
        else:
            mix.append(("/api/v1/kpis", params))
    return mix


async def load(base: str, mix: list[tuple[str, dict]], clients: int
               ) -> dict[str, list[float]]:
    queue: asyncio.Queue[tuple[str, dict]] = asyncio.Queue()
    for item in mix:
        queue.put_nowait(item)
    timings: dict[str, list[float]] = {}
    errors: list[str] = []

    async def worker() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            while not queue.empty():
                path, params = queue.get_nowait()
                started = time.perf_counter()
                response = await client.get(path, params=params)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {path}")
                timings.setdefault(path, []).append(elapsed)

    await asyncio.gather(*(worker() for _ in range(clients)))
    if errors:
        print(f"{len(errors)} errors, first: {errors[0]}")
    return timings


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--orders-per-day", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000, help="total, both endpoints")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()

    url = prepare(args)
    port = free_port()
    process = start_api(url, port)
    base = f"http://127.0.0.1:{port}"
    try:
        last = date.fromisoformat(httpx.get(f"{base}/api/v1/warehouse").json()["last_date"])
        rng = random.Random(7)
        asyncio.run(load(base, request_mix(last, args.days, 100, rng), 4))  # warm-up
        started = time.perf_counter()
        timings = asyncio.run(load(base, request_mix(last, args.days, args.requests, rng),
                                   args.clients))
        wall = time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=15)
    total = sum(len(v) for v in timings.values())
    print(f"\n{args.days} days x {args.orders_per_day} orders/day, {args.clients} concurrent "
          f"clients, {total} requests in {wall:.1f}s ({total / wall:.0f} req/s), "
          f"{os.cpu_count()} CPUs shared by clients, API and PostgreSQL")
    print(f"{'endpoint':<18}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for path, values in sorted(timings.items()):
        print(f"{path:<18}{len(values):>6}{percentile(values, 50):>9.1f}"
              f"{percentile(values, 95):>9.1f}{percentile(values, 99):>9.1f}"
              f"{max(values) * 1000:>9.1f}")
    if args.drop:
        drop_database(admin_url(), url)


if __name__ == "__main__":
    main()
