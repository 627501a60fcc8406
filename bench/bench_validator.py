"""Validator throughput on the local broker, with one and with two validator processes.

Generates a sample run, publishes its records to fresh raw topics the way the
ingestor does, starts N `python -m services.validator` processes in one consumer
group and times until every raw record has its valid or dead-letter output.

    python bench/bench_validator.py [--days 3] [--orders-per-day 1500] [--processes 1 2]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient

from contracts import ENTITIES
from shopflow.generate import GenerationConfig, generate
from shopflow.ingest.checks import CheckedFile, check_file
from shopflow.ingest.publish import publish_records
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import all_topics, create_topics, dlq_topic, valid_topic


def publish_generated(settings: Settings, out: Path) -> int:
    producer, total = EventProducer(settings), 0
    for batch in sorted(p for p in out.iterdir() if p.is_dir()):
        for path in sorted(batch.iterdir()):
            checked = check_file(path, out, settings.max_file_bytes, settings.max_line_bytes)
            if isinstance(checked, CheckedFile):
                total += publish_records(settings, producer, batch.name, checked, lambda: False)
    return total


def output_count(settings: Settings, consumer: Consumer) -> int:
    total = 0
    for entity in ENTITIES:
        for topic in (valid_topic(settings, entity), dlq_topic(settings, entity)):
            for p in range(settings.topic_partitions):
                low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                total += high - low
    return total


def environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"SHOPFLOW_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                "SHOPFLOW_TOPIC_PREFIX": settings.topic_prefix,
                "SHOPFLOW_TOPIC_PARTITIONS": str(settings.topic_partitions),
                "SHOPFLOW_CONSUMER_GROUP_PREFIX": settings.consumer_group_prefix,
                "SHOPFLOW_METRICS_HOST": "127.0.0.1", "SHOPFLOW_METRICS_PORT": "0",
                "SHOPFLOW_LOG_LEVEL": "WARNING"})
    return env


def run(settings: Settings, out: Path, processes: int) -> dict[str, Any]:
    create_topics(settings)
    time.sleep(2)  # let partition leadership settle
    records = publish_generated(settings, out)
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap,
                         "group.id": f"bench-watch-{uuid.uuid4().hex}"})
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "services.validator"],
                              env=environment(settings)) for _ in range(processes)]
    first_output = None
    try:
        while (done := output_count(settings, consumer)) < records:
            if done and first_output is None:
                first_output = time.monotonic()
            if time.monotonic() - started > 600:
                raise TimeoutError(f"{done} of {records} after 600 s")
            time.sleep(0.1)
        finished = time.monotonic()
        shares = partition_shares(settings)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        consumer.close()
    steady_from = first_output or started
    return {"records": records, "wall_s": finished - started,
            "steady_s": finished - steady_from,
            "wall_rps": records / (finished - started),
            "steady_rps": records / max(finished - steady_from, 1e-6), "shares": shares}


def partition_shares(settings: Settings) -> list[int]:
    """Raw partitions held by each member of the validator group."""
    group = f"{settings.consumer_group_prefix}.validator"
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    description = admin.describe_consumer_groups([group])[group].result(timeout=10)
    return sorted(len(m.assignment.topic_partitions) for m in description.members)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--defect-rate", type=float, default=0.02)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--partitions", type=int, default=6)
    args = parser.parse_args()
    bootstrap = os.environ.get("SHOPFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(GenerationConfig(days=args.days, start=date(2026, 1, 1),
                                  orders_per_day=args.orders_per_day, seed=1,
                                  defect_rate=args.defect_rate, out=out))
        for n in args.processes:
            prefix = f"bench{uuid.uuid4().hex[:8]}"
            settings = Settings(kafka_bootstrap=bootstrap, topic_prefix=prefix,
                                consumer_group_prefix=prefix, topic_partitions=args.partitions)
            try:
                r = run(settings, out, n)
            finally:
                AdminClient({"bootstrap.servers": bootstrap}).delete_topics(all_topics(settings))
            print(f"validator x{n}: {r['records']:.0f} records in {r['wall_s']:.1f} s "
                  f"(from start, incl. group join) = {r['wall_rps']:,.0f} rec/s; "
                  f"steady {r['steady_s']:.1f} s = {r['steady_rps']:,.0f} rec/s; "
                  f"raw partitions per process: {r['shares']}", flush=True)


if __name__ == "__main__":
    main()
