"""Watches a running platform and times when each stage has handled every record.

A stage is done when every record reached it: ingest when every batch is published,
validate when the validators' group has committed the raw topics to their end (chunks
are not records, so message counts are not compared), load when every published record
is loaded or rejected. At each stage's end the CPU seconds of its processes are read
from /proc, so the report can say CPU microseconds per record per stage.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from confluent_kafka import Consumer, TopicPartition

from contracts import ENTITIES
from shopflow.topics import raw_topic
from tests.e2e.platform import Platform


class StageClock:
    def __init__(self, platform: Platform, batch_ids: list[str]) -> None:
        self.platform, self.batch_ids = platform, batch_ids
        self.settings = platform.settings
        self.started = time.monotonic()
        self.done: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.records = 0
        self._infra_start = infra_cpu()
        self.infra: dict[str, float] = {}
        self._consumer = Consumer({"bootstrap.servers": self.settings.kafka_bootstrap,
                                   "group.id": f"{self.settings.consumer_group_prefix}.probe"})

    def _validator_lag(self) -> int:
        """Raw-topic messages the validator group has not committed yet."""
        group = Consumer({"bootstrap.servers": self.settings.kafka_bootstrap,
                          "group.id": f"{self.settings.consumer_group_prefix}.validator",
                          "enable.auto.commit": False})
        try:
            parts = []
            for topic in (raw_topic(self.settings, e) for e in ENTITIES):
                meta = group.list_topics(topic, timeout=10).topics[topic]
                parts.extend(TopicPartition(topic, p) for p in meta.partitions)
            lag = 0
            for tp in group.committed(parts, timeout=10):
                low, high = group.get_watermark_offsets(tp, timeout=10)
                lag += high - (tp.offset if tp.offset >= 0 else low)
            return lag
        finally:
            group.close()

    def _ops(self) -> tuple[int, int, int, int]:
        row = self.platform.query(
            "SELECT coalesce(sum(f.records_published), 0), coalesce(sum(f.loaded + f.rejected), 0),"
            " (SELECT count(*) FROM ops.batches WHERE batch_id = ANY(%s) AND completions >= 1),"
            " (SELECT count(*) FROM ops.builds WHERE batch_id = ANY(%s) AND status <> 'running')"
            " FROM ops.batch_files f WHERE f.status = 'published' AND f.batch_id = ANY(%s)",
            (self.batch_ids, self.batch_ids, self.batch_ids))[0]
        return int(row[0]), int(row[1]), int(row[2]), int(row[3])

    def _sample(self) -> None:
        now = time.monotonic() - self.started
        published, accounted, completed, built = self._ops()
        everything_published = completed == len(self.batch_ids) or self._all_published()
        if everything_published:
            self.records = published
            self._finish("ingest", now, "ingestor")
            if "validate" not in self.done and self._validator_lag() == 0:
                self._finish("validate", now, "validator")
            if accounted >= published:
                self._finish("load", now, "loader")
        if completed == len(self.batch_ids) and "complete" not in self.done:
            self.done["complete"] = now
            self.infra = {name: cpu - self._infra_start.get(name, 0.0)
                          for name, cpu in infra_cpu().items()}
        if built >= len(self.batch_ids):
            self.done.setdefault("built", now)

    def _finish(self, stage: str, now: float, service: str) -> None:
        if stage not in self.done:
            self.done[stage] = now
            self.cpu[stage] = sum(cpu_seconds(p.pid) for p in self.platform.procs[service])

    def _all_published(self) -> bool:
        rows = self.platform.query(
            "SELECT count(*) FROM ops.batches WHERE batch_id = ANY(%s)"
            " AND published_at IS NOT NULL", (self.batch_ids,))
        return rows[0][0] == len(self.batch_ids)

    def follow(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while "built" not in self.done:
            if time.monotonic() > deadline:
                raise TimeoutError(f"stages done so far: {self.done}")
            self._sample()
            time.sleep(0.5)

    def end_to_end_rate(self) -> float:
        return self.records / self.done["complete"]

    def report(self) -> None:
        print(f"records published: {self.records:,} in {len(self.batch_ids)} batches")
        for stage in ("ingest", "validate", "load", "complete", "built"):
            seconds = self.done[stage]
            print(f"  {stage:<9} done at {seconds:7.1f}s  ({self.records / seconds:,.0f} records/s"
                  " cumulative from the first submit)")
        for stage in ("ingest", "validate", "load"):
            cpu = self.cpu.get(stage, 0.0)
            print(f"  {stage:<9} CPU {cpu:7.1f}s in its processes = "
                  f"{cpu / max(self.records, 1) * 1e6:6.1f} us per record")
        for name, cpu in sorted(self.infra.items()):  # postgres: warehouse builds included
            print(f"  {name:<9} CPU {cpu:7.1f}s until the last batch-complete = "
                  f"{cpu / max(self.records, 1) * 1e6:6.1f} us per record")
        stages = {**{st: self.cpu.get(st, 0.0) for st in ("ingest", "validate", "load")},
                  **self.infra}
        print(f"  most CPU per record: {max(stages, key=lambda st: stages[st])}")
        print(f"end-to-end (first submit -> last batch-complete): "
              f"{self.end_to_end_rate():,.0f} records/s")

    def report_builds(self) -> None:
        rows = self.platform.query(
            "SELECT batch_id, extract(epoch FROM finished_at - started_at) FROM ops.builds"
            " WHERE status <> 'running' AND batch_id IS NOT NULL ORDER BY build_id")
        if rows:
            seconds = [float(s) for _, s in rows]
            print(f"warehouse builds: {len(rows)}, total {sum(seconds):.1f}s, first "
                  f"{seconds[0]:.2f}s, last {seconds[-1]:.2f}s "
                  f"(last/first {seconds[-1] / max(seconds[0], 1e-6):.2f})")


def cpu_seconds(pid: int, children: bool = False) -> float:
    """User + system CPU seconds of a live process (0 when it is gone); with `children`,
    also that of its children that ended (PostgreSQL backends)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def infra_cpu() -> dict[str, float]:
    """CPU seconds so far of the local broker and of PostgreSQL (postmaster, its ended
    backends and the live ones), from the infra scripts' pid files; {} when not found."""
    infra = Path(os.environ.get("SHOPFLOW_INFRA_DIR", Path(__file__).parents[1] / ".infra"))
    found: dict[str, float] = {}
    try:
        kafka = int((infra / "kafka" / "kafka.pid").read_text().split()[0])
        found["kafka"] = cpu_seconds(kafka)
        postmaster = int((infra / "postgres" / "data" / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        found["postgres"] = cpu_seconds(postmaster, children=True) + sum(
            cpu_seconds(int(child)) for child in children)
    except (OSError, ValueError, IndexError):
        return found
    return found


def peak_rss_mb(platform: Platform) -> dict[str, Any]:
    peaks = {}
    for service, procs in platform.procs.items():
        for index, proc in enumerate(procs):
            status = Path(f"/proc/{proc.pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[f"{service}-{index}"] = int(line.split()[1]) / 1024
    return peaks
