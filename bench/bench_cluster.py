"""One broker against three (replication 3, min.insync.replicas 2), and the lag of a
streaming replica while the platform loads: the pipeline benchmark (bench_pipeline.py) run
once per Kafka deployment on the same machine, against a private PostgreSQL primary whose
replica is sampled every half second.

    python bench/bench_cluster.py --days 10 --orders-per-day 500
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402

from shopflow.runtime.settings import Settings  # noqa: E402
from tests.e2e.cluster import KafkaCluster  # noqa: E402
from tests.integration.loader.throwaway_pg import PrimaryWithReplica  # noqa: E402

RATE = re.compile(r"ShopFlow end-to-end ([\d,]+) records/s")


class LagSampler(threading.Thread):
    """Replica lag (bytes received but not replayed, seconds behind the primary's clock)."""

    def __init__(self, pg: PrimaryWithReplica) -> None:
        super().__init__(daemon=True)
        self.pg = pg
        self.samples: list[tuple[int, float]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        query = ("SELECT coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(),"
                 " pg_last_wal_replay_lsn()), 0), pg_last_wal_replay_lsn()")
        with psycopg.connect(self.pg.replica_url, autocommit=True) as replica, \
                psycopg.connect(self.pg.primary.url, autocommit=True) as primary:
            while not self.stop.wait(0.5):
                behind = primary.execute(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)",
                    (replica.execute(query).fetchone()[1],)).fetchone()[0]
                self.samples.append((int(behind), time.monotonic()))

    def report(self) -> str:
        lags = [b for b, _ in self.samples]
        if not lags:
            return "no samples"
        return (f"replica lag behind the primary's WAL over {len(lags)} samples: "
                f"median {statistics.median(lags) / 1024:,.0f} KiB, "
                f"p95 {sorted(lags)[int(len(lags) * 0.95)] / 1024:,.0f} KiB, "
                f"max {max(lags) / 1024:,.0f} KiB")


def pipeline_rate(bootstrap: str, database_url: str, args: argparse.Namespace) -> float:
    env = {**os.environ, "SHOPFLOW_KAFKA_BOOTSTRAP": bootstrap,
           "SHOPFLOW_DATABASE_URL": database_url, "SHOPFLOW_DBT_MODELS_AFTER_BUILD": "false"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_pipeline.py"), "--days", str(args.days),
         "--orders-per-day", str(args.orders_per_day), "--skip-reference"],
        env=env, capture_output=True, text=True, timeout=3600)
    found = RATE.search(done.stdout)
    if done.returncode != 0 or found is None:
        raise RuntimeError(f"bench_pipeline failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return float(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=10)
    parser.add_argument("--orders-per-day", type=int, default=500)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shopflow-bench-cluster-"))
    pg = PrimaryWithReplica(work)
    cluster = KafkaCluster(work)
    try:
        from shopflow.db.migrate import upgrade

        upgrade(pg.primary.url)
        pg.start_replica()
        one = pipeline_rate(Settings().kafka_bootstrap, pg.primary.url, args)
        print(f"1 broker  (replication 1): {one:,.0f} records/s end to end")
        cluster.up()
        sampler = LagSampler(pg)
        sampler.start()
        three = pipeline_rate(cluster.bootstrap, pg.primary.url, args)
        sampler.stop.set()
        sampler.join()
        print(f"3 brokers (replication 3, min.insync 2): {three:,.0f} records/s end to end "
              f"= {three / one:.2f}x one broker")
        print(sampler.report())
    finally:
        cluster.down()
        pg.destroy()


if __name__ == "__main__":
    main()
