"""Warehouse build benchmark: full refresh, and the daily build at day 1 and day N.

    python bench/bench_transform.py --days 60 --orders-per-day 1000
    python bench/bench_transform.py --days 180 --orders-per-day 5000   # the issue's size

Generates a history (`shopflow generate`), fills staging straight from the batch
files (the test helper: no Kafka, so only the transformer is measured) in a
throwaway database, then times:
  1. the incremental build of day 1 on an empty warehouse;
  2. a full refresh of days 1..N-1 (to get a warehouse with history);
  3. the incremental build of day N on top of that history;
  4. a full refresh of all N days.
`--flatness-only` runs 1 and 3 (and the one refresh they need) and prints day N / day 1.
`--daily-from K` runs 1, a full refresh of days 1..K-1, then the incremental build of every
day from K to N, each with its ratio to day 1 and to day K, and a summary of the curve:
whether the build grows with the history once the scope windows (14 days of status
changes, 30 days of attribution) are full.
The daily build should cost about the same at day 1 and day N (it depends on the
batch, not on the history). Needs PostgreSQL at SHOPFLOW_DATABASE_URL (owner role).

The build is the dbt project's core (docs/decisions/0057); each build line is followed by
dbt's share: the invocation (start, compile, run, tests) against the time its nodes spent
(`nodes` = the sum of the per-node times of dbt's run results, split into `compile`
(Jinja) and `execute` (the materialization: its SQL and dbt's calls around it); `SQL` =
the database time of every statement dbt sent, from its SQLQueryStatus events), what
is spent outside the nodes (start, adapter cache, queue), and the slowest nodes. The one-off
parse of the project is timed on its own before the first build.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import drop_database  # noqa: E402
from shopflow.db.connect import with_database, with_user  # noqa: E402
from shopflow.db.migrate import upgrade  # noqa: E402
from shopflow.generate import GenerationConfig, generate  # noqa: E402
from shopflow.warehouse import BuildRequest, BuildResult, run_build  # noqa: E402
from shopflow.warehouse.runner import core_project  # noqa: E402
from tests.integration.transformer.staging_files import GeneratedRun, load_batch  # noqa: E402

T = TypeVar("T")


def timed(label: str, action: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = action()
    seconds = time.monotonic() - started
    print(f"{label:<48} {seconds:9.2f} s", flush=True)
    return result, seconds


def load(url: str, run: GeneratedRun, batch_ids: list[str]) -> int:
    dead = run.dead_letters()
    rows = 0
    for batch_id in batch_ids:
        with psycopg.connect(url) as conn:
            rows += sum(load_batch(conn, run, batch_id, dead).values())
    return rows


def describe(result: BuildResult) -> str:
    scope = result.stats.get("scope", {})
    dbt = result.stats.get("dbt", {})
    invocation, nodes = dbt.get("invocation_seconds", 0.0), dbt.get("nodes_seconds", 0.0)
    count = dbt.get("nodes", 0)
    per_node_ms = 1000 * (invocation - dbt.get("sql_seconds", 0.0)) / max(count, 1)
    slowest = ", ".join(f"{name} {seconds:.2f}" for name, seconds in
                        dbt.get("slowest", {}).items())
    return (f"   status={result.status} dates={len(result.dates)} orders={scope.get('orders')}"
            f" events={scope.get('events')} checks={result.stats.get('checks', {}).get('fail')}"
            f" failed\n   dbt: invocation {invocation:.2f} s = nodes {nodes:.2f} s"
            f" (compile {dbt.get('compile_seconds', 0.0):.2f} s, execute"
            f" {dbt.get('execute_seconds', 0.0):.2f} s, of which SQL"
            f" {dbt.get('sql_seconds', 0.0):.2f} s) + outside the nodes"
            f" {invocation - nodes:.2f} s; dbt's own time per node"
            f" {per_node_ms:.0f} ms ({count} nodes); slowest: {slowest}")


def table_sizes(url: str) -> str:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname, n_live_tup FROM pg_stat_user_tables"
            " WHERE schemaname = 'warehouse' ORDER BY n_live_tup DESC LIMIT 5").fetchall()
    return ", ".join(f"{name}={count}" for name, count in rows)


def measure_history(owner: str, transformer: str, run: GeneratedRun,
                    batches: list[str], *, flatness_only: bool = False) -> None:
    """Day 1 on an empty warehouse, day K and day N on their histories, full refreshes.

    ``flatness_only``: day 1 and day N only (one full refresh, of days 1..N-1, between).
    """
    last = len(batches)
    middle = typical_day(run, batches, 16 if last >= 32 else max(2, last // 2))
    first = first_day(owner, transformer, run, batches)
    spans = ((2, last),) if flatness_only else ((2, middle), (middle + 1, last))
    for start, end in spans:
        load_and_refresh(owner, transformer, run, batches, start, end - 1)
        seconds = load_and_build(owner, transformer, run, batches, end)[0]
        print(f"   day {end} / day 1 = {seconds / first:.2f}")
    if flatness_only:
        return
    full_refresh(transformer, last)


def first_day(owner: str, transformer: str, run: GeneratedRun, batches: list[str]) -> float:
    """Day 1 on an empty warehouse, after the one-off parse of the project; its seconds."""
    timed("load staging: day 1", lambda: load(owner, run, batches[:1]))
    timed("dbt parse (once per process)", lambda: core_project(transformer).parse())
    return daily_build(transformer, batches, 1)[0]


def load_and_refresh(owner: str, transformer: str, run: GeneratedRun, batches: list[str],
                     start: int, end: int) -> None:
    """Stages days start..end (on top of what is staged) and builds everything again."""
    rows, _ = timed(f"load staging: days {start}..{end}",
                    lambda: load(owner, run, batches[start - 1:end]))
    print(f"   {rows} staging rows")
    full_refresh(transformer, end)


def full_refresh(transformer: str, days: int) -> None:
    result, _ = timed(f"full refresh, {days} days",
                      lambda: run_build(transformer, BuildRequest(full_refresh=True)))
    print(describe(result))


def load_and_build(owner: str, transformer: str, run: GeneratedRun, batches: list[str],
                   day: int) -> tuple[float, tuple[int, int]]:
    """Stages one day and builds it incrementally (daily_build)."""
    timed(f"load staging: day {day}", lambda: load(owner, run, batches[day - 1:day]))
    return daily_build(transformer, batches, day)


def measure_curve(owner: str, transformer: str, run: GeneratedRun, batches: list[str],
                  start: int) -> None:
    """Day 1 on an empty warehouse, a full refresh of days 1..start-1, then every day."""
    first = first_day(owner, transformer, run, batches)
    load_and_refresh(owner, transformer, run, batches, 2, start - 1)
    seconds: dict[int, float] = {}
    scopes: dict[int, tuple[int, int]] = {}  # (events, orders) in each day's scope
    for day in range(start, len(batches) + 1):
        seconds[day], scopes[day] = load_and_build(owner, transformer, run, batches, day)
        print(f"   day {day} / day 1 = {seconds[day] / first:.2f},"
              f" / day {start} = {seconds[day] / seconds[start]:.2f}")
    print(curve_summary(first, seconds))
    print(history_fit(seconds, scopes))


def curve_summary(first: float, values: dict[int, float]) -> str:
    """Median of the first and of the last third of the daily builds, and their ratio."""
    days = sorted(values)
    third = max(1, len(days) // 3)
    early = statistics.median(values[d] for d in days[:third])
    late = statistics.median(values[d] for d in days[-third:])
    return (f"daily builds, days {days[0]}..{days[-1]}, s: day 1 {first:.2f},"
            f" min {min(values.values()):.2f}, median {statistics.median(values.values()):.2f},"
            f" max {max(values.values()):.2f}; median of days {days[0]}..{days[third - 1]}"
            f" {early:.2f}, of days {days[-third]}..{days[-1]} {late:.2f} (late / early"
            f" {late / early:.2f}); day {days[-1]} / day 1 = {values[days[-1]] / first:.2f}")


def history_fit(seconds: dict[int, float], scopes: dict[int, tuple[int, int]]) -> str:
    """Least squares: seconds = a + b * events + c * orders + d * day (with standard errors).

    Days differ in volume (weekdays, late status changes), so the ratio of two days mixes
    volume with history; d is what one more day of history adds at the same scope.
    """
    days = sorted(seconds)
    if len(days) < 6:
        return "history fit: needs at least 6 daily builds"
    import numpy as np

    x = np.array([[1.0, scopes[d][0] / 1e5, scopes[d][1] / 1e4, d] for d in days])
    y = np.array([seconds[d] for d in days])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    error = np.sqrt(np.diag(resid @ resid / (len(y) - 4) * np.linalg.inv(x.T @ x)))
    return (f"history fit, days {days[0]}..{days[-1]}: {coef[0]:.2f} s + {coef[1]:.2f} s per"
            f" 100k events + {coef[2]:.2f} s per 10k orders in scope + {coef[3]:.3f}"
            f" +- {error[3]:.3f} s per day of history (residual sd {np.std(resid):.2f} s)")


def typical_day(run: GeneratedRun, batches: list[str], wanted: int) -> int:
    """The first day from ``wanted`` (past the 14-day status window) whose orders arrive."""
    faulty = {batch for batch, name in run.unpublished_files()
              if name in ("orders.csv", "order_items.csv")}
    for day in range(wanted, len(batches)):
        if batches[day - 1] not in faulty:
            return day
    return wanted


def daily_build(transformer: str, batches: list[str],
                day: int) -> tuple[float, tuple[int, int]]:
    """The seconds of one day's build and its scope: (clickstream events, orders)."""
    result, seconds = timed(f"incremental build, day {day} ({day - 1} days of history)",
                            lambda: run_build(transformer,
                                              BuildRequest(batch_id=batches[day - 1])))
    print(describe(result))
    scope = result.stats.get("scope", {})
    return seconds, (int(scope.get("events") or 0), int(scope.get("orders") or 0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--orders-per-day", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--defect-rate", type=float, default=0.02)
    parser.add_argument("--out", type=Path, help="reuse/keep generated data here")
    parser.add_argument("--keep-database", action="store_true")
    parser.add_argument("--flatness-only", action="store_true",
                        help="day 1 and day N only, with one full refresh between")
    parser.add_argument("--daily-from", type=int, metavar="K",
                        help="full refresh of days 1..K-1, then every day from K to N")
    args = parser.parse_args()
    if args.daily_from is not None and not 2 <= args.daily_from <= args.days:
        parser.error(f"--daily-from must be between 2 and --days ({args.days})")
    admin = os.environ.get("SHOPFLOW_DATABASE_URL",
                           "postgresql://shopflow@127.0.0.1:5432/shopflow")
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-transform-")) / "run"
    print(f"history: {args.days} days x {args.orders_per_day} orders/day -> {out}")
    if not (out / "truth.json").exists():
        config = GenerationConfig(days=args.days, orders_per_day=args.orders_per_day,
                                  seed=args.seed, defect_rate=args.defect_rate,
                                  start=date(2026, 1, 1), out=out)
        timed("generate", lambda: generate(config))
    run = GeneratedRun(out)
    batches = run.batch_ids()

    name = f"bench_transform_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    owner = with_database(admin, name)
    transformer = with_user(owner, "shopflow_transformer")
    try:
        upgrade(owner)
        if args.daily_from:
            measure_curve(owner, transformer, run, batches, args.daily_from)
        else:
            measure_history(owner, transformer, run, batches,
                            flatness_only=args.flatness_only)
        print(f"   largest tables: {table_sizes(owner)}")
    finally:
        if args.keep_database:
            print(f"kept database {name}")
        else:
            drop_database(admin, owner)


if __name__ == "__main__":
    main()
