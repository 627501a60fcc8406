"""Validator throughput on the local broker, with one and with two validator processes.

Generates a sample run, publishes its records to fresh raw topics the way the
ingestor does (raw chunks), starts N `python -m services.validator` processes in one
consumer group and times until every raw record has its valid or dead-letter output
(the outputs, valid chunks and dead letters, are counted as messages: how many the
same chunks give is worked out in-process beforehand).

    python bench/bench_validator.py [--days 3] [--orders-per-day 1500] [--processes 1 2]

`--in-process` instead times the work without a broker: `validate_record` +
`canonical_json` per record (µs), and the batch handler (`Validator.handle`) on
in-memory raw chunk messages with a producer that only counts (records/s).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import orjson
from confluent_kafka import Message, TopicPartition
from confluent_kafka.admin import AdminClient, OffsetSpec

from contracts import ENTITIES, canonical_json, validate_record
from contracts.chunk import decode_chunk
from shopflow.generate import GenerationConfig, generate
from shopflow.ingest.checks import CheckedFile, check_file, open_regular
from shopflow.ingest.keys import key_fields, key_function
from shopflow.ingest.publish import (
    ChunkWriter,
    file_origin,
    publish_records,
    read_records,
    record_entry,
)
from shopflow.runtime.kafka import EventProducer, Headers
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


def output_count(settings: Settings, admin: AdminClient) -> int:
    """Records in the valid and dead-letter topics (fresh topics: their end offsets), asked
    in one request so that watching disturbs the broker as little as possible."""
    wanted = {TopicPartition(topic, p): OffsetSpec.latest()
              for entity in ENTITIES
              for topic in (valid_topic(settings, entity), dlq_topic(settings, entity))
              for p in range(settings.topic_partitions)}
    futures = admin.list_offsets(wanted, request_timeout=10)
    return sum(future.result().offset for future in futures.values())


def environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"SHOPFLOW_KAFKA_BOOTSTRAP": settings.kafka_bootstrap,
                "SHOPFLOW_TOPIC_PREFIX": settings.topic_prefix,
                "SHOPFLOW_TOPIC_PARTITIONS": str(settings.topic_partitions),
                "SHOPFLOW_CONSUMER_GROUP_PREFIX": settings.consumer_group_prefix,
                "SHOPFLOW_METRICS_HOST": "127.0.0.1", "SHOPFLOW_METRICS_PORT": "0",
                "SHOPFLOW_LOG_LEVEL": "WARNING"})
    return env


def expected_outputs(settings: Settings, out: Path) -> int:
    """Output messages (valid chunks + dead letters) the validator makes of the raw chunks
    the ingestor publishes for these files: the same chunks, handled in-process."""
    from services.validator.handler import Validator  # a service module, only for this

    producer = CountingProducer()
    Validator(settings, producer).handle(raw_messages(settings, out))  # type: ignore[arg-type]
    return producer.produced


def run(settings: Settings, out: Path, processes: int) -> dict[str, Any]:
    create_topics(settings)
    time.sleep(2)  # let partition leadership settle
    outputs = expected_outputs(settings, out)
    records = publish_generated(settings, out)
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    started = time.monotonic()
    procs = [subprocess.Popen([sys.executable, "-m", "services.validator"],
                              env=environment(settings)) for _ in range(processes)]
    first_output, cpu_at_first = None, 0.0
    try:
        while (done := output_count(settings, admin)) < outputs:
            if done and first_output is None:
                first_output, cpu_at_first = time.monotonic(), cpu_seconds(procs)
            if time.monotonic() - started > 600:
                raise TimeoutError(f"{done} of {outputs} output messages after 600 s")
            time.sleep(0.2)
        finished, cpu = time.monotonic(), cpu_seconds(procs) - cpu_at_first
        shares = partition_shares(settings)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
    steady_from = first_output or started
    return {"records": records, "outputs": outputs, "wall_s": finished - started,
            "steady_s": finished - steady_from,
            "wall_rps": records / (finished - started),
            "steady_rps": records / max(finished - steady_from, 1e-6), "shares": shares,
            "cpu_us": cpu / records * 1e6}


def cpu_seconds(procs: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU time the processes used so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in procs:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def partition_shares(settings: Settings) -> list[int]:
    """Raw partitions held by each member of the validator group."""
    group = f"{settings.consumer_group_prefix}.validator"
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    description = admin.describe_consumer_groups([group])[group].result(timeout=10)
    return sorted(len(m.assignment.topic_partitions) for m in description.members)


class CountingProducer:
    """Stands in for EventProducer in the in-process timing: counts, sends nothing."""

    def __init__(self) -> None:
        self.produced = 0

    def produce(self, topic: str, value: bytes | None, key: bytes | str | None = None,
                headers: Headers | None = None) -> None:
        self.produced += 1

    def flush(self, timeout: float = 120.0) -> None:
        pass


class MessageCollector:
    """Stands in for EventProducer under a ChunkWriter: keeps the chunks as the client's
    Message objects, as a consumer would get them."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def produce(self, topic: str, value: bytes | None, key: bytes | str | None = None,
                headers: Headers | None = None) -> None:
        self.messages.append(Message(
            topic=topic, partition=0, offset=len(self.messages),
            key=key.encode() if isinstance(key, str) else key, value=value, headers=headers))


def raw_messages(settings: Settings, out: Path) -> list[Message]:
    """The raw chunks the ingestor would publish for every generated file, in memory."""
    collector = MessageCollector()
    for batch in sorted(p for p in out.iterdir() if p.is_dir()):
        for path in sorted(batch.iterdir()):
            checked = check_file(path, out, settings.max_file_bytes, settings.max_line_bytes)
            if not isinstance(checked, CheckedFile):
                continue
            entity = checked.data_file.entity
            writer = ChunkWriter(settings, collector,  # type: ignore[arg-type]
                                 f"{settings.topic_prefix}.raw.{entity}",
                                 file_origin(batch.name, checked))
            key_of = key_function(key_fields(entity))
            with open_regular(path) as stream:
                for record in read_records(stream, checked.data_file.format,
                                           settings.max_line_bytes):
                    writer.add(*record_entry(record, key_of(record.mapping)))
            writer.flush()
    return collector.messages


def _best_cpu_seconds(work: Callable[[], object], rounds: int) -> float:
    """CPU time of the fastest round: steadier than wall time on a shared machine."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def time_in_process(settings: Settings, out: Path, rounds: int) -> None:
    from services.validator.handler import Validator  # a service module, only for this mode

    messages = raw_messages(settings, out)
    chunks = [decode_chunk(msg.value()) for msg in messages]
    total = sum(len(chunk.records) for chunk in chunks)
    records = [(chunk.origin.entity, orjson.loads(entry["value"]))
               for chunk in chunks for entry in chunk.records
               if "error" not in entry and "value" in entry]

    def contracts_only() -> None:
        for entity, record in records:
            outcome = validate_record(entity, record)
            if outcome.model is not None:
                canonical_json(outcome.model)

    seconds = _best_cpu_seconds(contracts_only, rounds)
    print(f"contracts: validate_record + canonical_json = {seconds / len(records) * 1e6:.1f} µs "
          f"CPU per record ({len(records)} records, best of {rounds})", flush=True)
    size = settings.consume_batch_size

    def handler() -> None:
        producer = CountingProducer()
        validator = Validator(settings, producer)  # type: ignore[arg-type]
        for i in range(0, len(messages), size):
            validator.handle(messages[i:i + size])
        assert producer.produced > 0

    seconds = _best_cpu_seconds(handler, rounds)
    print(f"handler: Validator.handle = {total / seconds:,.0f} records/s per CPU "
          f"({seconds / total * 1e6:.1f} µs CPU per record, {total} records in "
          f"{len(messages)} chunks, batches of {size} chunks, best of {rounds})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=3)
    parser.add_argument("--orders-per-day", type=int, default=1500)
    parser.add_argument("--defect-rate", type=float, default=0.02)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--in-process", action="store_true",
                        help="time contracts and the handler without a broker")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bootstrap = os.environ.get("SHOPFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        generate(GenerationConfig(days=args.days, start=date(2026, 1, 1),
                                  orders_per_day=args.orders_per_day, seed=1,
                                  defect_rate=args.defect_rate, out=out))
        if args.in_process:
            time_in_process(Settings(), out, args.rounds)
            return
        for n in args.processes:
            prefix = f"bench{uuid.uuid4().hex[:8]}"
            settings = Settings(kafka_bootstrap=bootstrap, topic_prefix=prefix,
                                consumer_group_prefix=prefix, topic_partitions=args.partitions)
            try:
                r = run(settings, out, n)
            finally:
                AdminClient({"bootstrap.servers": bootstrap}).delete_topics(all_topics(settings))
            print(f"validator x{n}: {r['records']:.0f} records ({r['outputs']} output "
                  f"messages) in {r['wall_s']:.1f} s "
                  f"(from start, incl. group join) = {r['wall_rps']:,.0f} rec/s; "
                  f"steady {r['steady_s']:.1f} s = {r['steady_rps']:,.0f} rec/s; "
                  f"validator CPU {r['cpu_us']:.0f} µs per record (steady part); "
                  f"raw partitions per process: {r['shares']}", flush=True)


if __name__ == "__main__":
    main()
