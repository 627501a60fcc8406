"""Throughput and memory of `shopflow generate`.

    python bench/bench_generate.py [--days 180] [--orders-per-day 5000] [--seed 42]

Generates into a temporary directory (removed afterwards, unless --keep) and
prints records per second, peak RSS and size on disk.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from shopflow.generate import GenerationConfig, generate


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--orders-per-day", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--defect-rate", type=float, default=0.02)
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="shopflow-bench-"))
    config = GenerationConfig(days=args.days, start=date(2026, 1, 1),
                              orders_per_day=args.orders_per_day, seed=args.seed,
                              defect_rate=args.defect_rate, out=workdir / "generated")
    rss_before = _peak_rss_mb()
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    try:
        summary = generate(config, lambda done, total: print(
            f"\r{done}/{total} days, peak RSS {_peak_rss_mb():.0f} MB", end="", file=sys.stderr))
        elapsed, cpu = time.perf_counter() - started, _cpu_seconds() - cpu_started
        print(file=sys.stderr)
        print(f"days x orders/day : {args.days} x {args.orders_per_day}")
        print(f"records           : {summary.records:,} ({summary.defective_records:,} defective,"
              f" {summary.file_faults} file faults)")
        print(f"elapsed           : {elapsed:.1f} s wall, {cpu:.1f} s CPU")
        print(f"records/s         : {summary.records / elapsed:,.0f} wall, "
              f"{summary.records / cpu:,.0f} per CPU second")
        print(f"peak RSS          : {_peak_rss_mb():.0f} MB (before: {rss_before:.0f} MB)")
        print(f"size on disk      : {summary.bytes_written / 1_000_000:,.1f} MB")
        for entity, count in summary.records_by_entity.items():
            print(f"  {entity:<12} {count:>12,}")
    finally:
        if args.keep:
            print(f"kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
