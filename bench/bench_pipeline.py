"""End-to-end benchmark (`make bench`): the real services on the local Kafka and PostgreSQL.

Prints per-stage throughput (ingest, validate, load), end-to-end records/s from the first
batch submitted to the last batch-complete, warehouse build seconds, the latency from a
daily batch's _SUCCESS to its figures in the API, peak memory of every service, and two
reference points on the same files: raw PostgreSQL COPY and a pandas loader
(read_csv + DataFrame.to_sql, no Kafka, no validation).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from bench.databases import drop_database  # noqa: E402
from bench.pipeline_probe import StageClock, peak_rss_mb  # noqa: E402
from bench.reference_loaders import copy_files, pandas_load, published_files  # noqa: E402
from shopflow.db.connect import with_database, with_user  # noqa: E402
from shopflow.db.migrate import upgrade  # noqa: E402
from shopflow.generate.config import GenerationConfig  # noqa: E402
from shopflow.generate.run import generate  # noqa: E402
from shopflow.ingest.submit import submit  # noqa: E402
from shopflow.runtime.settings import Settings  # noqa: E402
from shopflow.topics import create_topics  # noqa: E402
from tests.e2e.platform import Platform  # noqa: E402
from tests.e2e.truth import load_truth  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--orders-per-day", type=int, default=500)
    parser.add_argument("--defect-rate", type=float, default=0.02)
    parser.add_argument("--validators", type=int, default=1)
    parser.add_argument("--loaders", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--skip-reference", action="store_true",
                        help="do not time the raw COPY and pandas loaders (long runs)")
    parser.add_argument("--keep-database", action="store_true",
                        help="keep the run's database (dropped at the end otherwise)")
    return parser.parse_args()


def fresh_settings(work: Path) -> Settings:
    base = Settings()
    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base.database_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = with_database(base.database_url, name)
    upgrade(url)
    roles = {f"{s}_database_url": with_user(url, f"shopflow_{s}")
             for s in ("ingestor", "loader", "transformer", "api")}
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    return base.model_copy(update={
        "database_url": url, **roles, "topic_prefix": prefix, "consumer_group_prefix": prefix,
        "landing_dir": work / "landing", "quarantine_dir": work / "quarantine",
        "metrics_host": "127.0.0.1", "metrics_port": 0})


def api_shows(platform: Platform, day: str, revenue: str) -> bool:
    return str(platform.api(f"/api/v1/kpis?start={day}&end={day}")["revenue"]) == revenue


LATENCY_STAGES = """
SELECT extract(epoch FROM b.opened_at), extract(epoch FROM b.published_at),
       extract(epoch FROM b.completed_at),
       extract(epoch FROM w.finished_at) - (w.stats->>'seconds')::float,
       extract(epoch FROM w.started_at), extract(epoch FROM w.finished_at)
FROM ops.batches b
-- a build's own clock (stats.seconds) starts when the transformer calls it, before dbt
-- starts up and opens the transaction that sets started_at
LEFT JOIN LATERAL (SELECT started_at, finished_at, stats FROM ops.builds
                   WHERE batch_id = b.batch_id ORDER BY build_id DESC LIMIT 1) w ON true
WHERE b.batch_id = %s"""


def latency_stages(url: str, batch_id: str, submitted_at: float) -> str:
    """Where one batch's latency went, from the ops ledger: seconds after the submit."""
    with psycopg.connect(url) as conn:
        row = conn.execute(LATENCY_STAGES, (batch_id,)).fetchone()
    names = ("ingest started", "published", "batch complete", "build called",
             "dbt's transaction began", "build finished")
    return ", ".join(f"{name} +{float(at) - submitted_at:.1f}s"
                     for name, at in zip(names, row or (), strict=False) if at is not None)


def run(args: argparse.Namespace, work: Path) -> None:
    out = work / "generated"
    started = time.monotonic()
    summary = generate(GenerationConfig(days=args.days, start=date(2026, 1, 1),
                                        orders_per_day=args.orders_per_day, seed=42,
                                        defect_rate=args.defect_rate, out=out))
    print(f"generated {summary.records:,} records in {time.monotonic() - started:.1f}s")
    truth = load_truth(out)
    batch_ids = sorted(truth["batches"])
    settings = fresh_settings(work)
    create_topics(settings)
    platform = Platform(settings, work / "logs")
    platform.start_all(validators=args.validators, loaders=args.loaders)
    try:
        platform.wait_for(lambda: platform.api("/health")["status"] == "ok", 60, "API")
        clock = StageClock(platform, batch_ids[:-1])
        for batch_id in batch_ids[:-1]:
            submit(out / batch_id, settings.landing_dir)
        print(f"submitted {len(batch_ids) - 1} batches in {time.monotonic() - clock.started:.1f}s")
        clock.follow(args.timeout)
        clock.report()

        last = batch_ids[-1]
        day = truth["batches"][last]["business_date"]
        submitted, submitted_at = time.monotonic(), time.time()
        submit(out / last, settings.landing_dir)
        revenue = truth["metrics"]["daily"][day]["revenue"]
        # polled every 0.1 s: the latency is measured to a tenth of a second
        platform.wait_for(lambda: api_shows(platform, day, revenue), 600, "last day in API",
                          interval=0.1)
        records = sum(f["records"] for f in truth["batches"][last]["files"].values())
        print(f"latency _SUCCESS -> API figures for one daily batch ({records:,} records): "
              f"{time.monotonic() - submitted:.1f}s")
        print(f"   {latency_stages(settings.database_url, last, submitted_at)}")
        clock.report_builds()
        for name, mb in peak_rss_mb(platform).items():
            print(f"peak RSS {name:<16} {mb:7.1f} MB")
        if args.skip_reference:
            print(f"ShopFlow end-to-end {clock.end_to_end_rate():,.0f} records/s; total "
                  f"{time.monotonic() - started:,.0f}s from generation to the last figures")
            return
        files = published_files(out, truth)
        copy_rate = copy_files(settings.database_url, files)
        pandas_rate = pandas_load(settings.database_url, files)
        ours = clock.end_to_end_rate()
        print(f"reference raw COPY: {copy_rate:,.0f} records/s; "
              f"pandas read_csv+to_sql: {pandas_rate:,.0f} records/s")
        print(f"ShopFlow end-to-end {ours:,.0f} records/s = {ours / copy_rate:.2f}x raw COPY, "
              f"{ours / pandas_rate:.2f}x pandas")
    finally:
        platform.stop_all()
        if not args.keep_database:
            drop_database(Settings().database_url, settings.database_url)


def main() -> None:
    args = parse_args()
    with tempfile.TemporaryDirectory(prefix="shopflow-bench-") as work:
        run(args, Path(work))


if __name__ == "__main__":
    main()
