"""Ingestor throughput on the local broker: from ready batch directories to acked raw chunks.

Generates a sample run, copies its batches into a fresh landing directory and times one
pass of the ingestor (`shopflow.ingest.runner.scan_once`: file checks, the publish
ledger in a throwaway database, raw chunks of records, control events) until the
broker has acknowledged everything. Also times the reading alone (no broker): parsing
the files into the record entries and keys, and encoding the chunks that would be produced.

    python bench/bench_ingestor.py [--days 3] [--orders-per-day 1000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from confluent_kafka.admin import AdminClient  # noqa: E402

from bench.databases import drop_database  # noqa: E402
from shopflow.db.connect import with_database, with_user  # noqa: E402
from shopflow.db.migrate import upgrade  # noqa: E402
from shopflow.generate import GenerationConfig, generate  # noqa: E402
from shopflow.ingest.checks import CheckedFile, check_file, open_regular  # noqa: E402
from shopflow.ingest.keys import key_fields, key_function  # noqa: E402
from shopflow.ingest.publish import (  # noqa: E402
    ChunkWriter,
    file_origin,
    read_records,
    record_entry,
)
from shopflow.ingest.runner import scan_once  # noqa: E402
from shopflow.runtime.kafka import EventProducer, Headers  # noqa: E402
from shopflow.runtime.settings import Settings  # noqa: E402
from shopflow.topics import all_topics, create_topics  # noqa: E402


def batch_dirs(out: Path) -> list[Path]:
    return sorted(path for path in out.iterdir() if path.is_dir())


class NullProducer:
    """Stands in for EventProducer when timing the reading: counts chunks, sends nothing."""

    def __init__(self) -> None:
        self.chunks = 0

    def produce(self, topic: str, value: bytes | None, key: bytes | str | None = None,
                headers: Headers | None = None) -> None:
        self.chunks += 1


def time_reading(settings: Settings, out: Path, rounds: int) -> None:
    """CPU per record of reading + entry + key + chunk encoding, without a broker."""
    files = [(batch.name, checked) for batch in batch_dirs(out) for path in sorted(batch.iterdir())
             if isinstance(checked := check_file(path, out, settings.max_file_bytes,
                                                 settings.max_line_bytes), CheckedFile)]
    best, records, chunks = float("inf"), 0, 0
    for _ in range(rounds):
        started, records = time.process_time(), 0
        producer = NullProducer()
        for batch_id, checked in files:
            writer = ChunkWriter(settings, producer, "bench.raw",  # type: ignore[arg-type]
                                 file_origin(batch_id, checked))
            key_of = key_function(key_fields(checked.data_file.entity))
            with open_regular(checked.path) as stream:
                for record in read_records(stream, checked.data_file.format,
                                           settings.max_line_bytes):
                    writer.add(*record_entry(record, key_of(record.mapping)))
                    records += 1
            writer.flush()
        best, chunks = min(best, time.process_time() - started), producer.chunks
    print(f"reading: {records} records in {chunks} chunks, {best / records * 1e6:.1f} µs CPU "
          f"per record = {records / best:,.0f} records/s per CPU (best of {rounds}, no broker)",
          flush=True)


def fresh_settings(work: Path, bootstrap: str) -> Settings:
    base = Settings(kafka_bootstrap=bootstrap)
    name = f"bench_ingest_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base.database_url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = with_database(base.database_url, name)
    upgrade(url)
    prefix = f"benchi{uuid.uuid4().hex[:6]}"
    return base.model_copy(update={
        "database_url": url, "ingestor_database_url": with_user(url, "shopflow_ingestor"),
        "topic_prefix": prefix, "consumer_group_prefix": prefix,
        "landing_dir": work / "landing", "quarantine_dir": work / "quarantine"})


def drop(settings: Settings) -> None:
    AdminClient({"bootstrap.servers": settings.kafka_bootstrap}).delete_topics(
        all_topics(settings))
    drop_database(with_database(settings.database_url, "postgres"), settings.database_url)


def time_publishing(settings: Settings, out: Path, producer_overrides: dict[str, str]) -> None:
    create_topics(settings)
    time.sleep(2)  # let partition leadership settle
    for batch in batch_dirs(out):
        shutil.copytree(batch, settings.landing_dir / batch.name)
    producer = EventProducer(settings, **producer_overrides)
    started_wall, started_cpu = time.monotonic(), time.process_time()
    reports = scan_once(settings, producer)
    producer.flush()
    wall, cpu = time.monotonic() - started_wall, time.process_time() - started_cpu
    records = sum(report.records for report in reports)
    quarantined = sum(len(report.quarantined) for report in reports)
    print(f"publishing: {records} records from {len(reports)} batches ({quarantined} files "
          f"quarantined) in {wall:.2f} s = {records / wall:,.0f} records/s acked; "
          f"ingestor CPU {cpu / records * 1e6:.1f} µs per record", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--orders-per-day", type=int, default=1000)
    parser.add_argument("--defect-rate", type=float, default=0.02)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bootstrap", default=Settings().kafka_bootstrap)
    parser.add_argument("--producer", nargs="*", default=[], metavar="KEY=VALUE",
                        help="librdkafka producer settings to try, e.g. linger.ms=50")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.producer)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "generated"
        generate(GenerationConfig(days=args.days, start=date(2026, 1, 1),
                                  orders_per_day=args.orders_per_day, seed=1,
                                  defect_rate=args.defect_rate, out=out))
        time_reading(Settings(), out, args.rounds)
        settings = fresh_settings(work, args.bootstrap)
        try:
            time_publishing(settings, out, overrides)
        finally:
            drop(settings)


if __name__ == "__main__":
    main()
