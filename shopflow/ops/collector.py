"""A Prometheus collector over the pipeline's ledger, queried at scrape time.

Failures are recorded in the database (ops.builds, ops.quality_checks, ops.batch_files,
ops.dead_letters, ops.monitor_checks); this turns them into metrics the alert rules in
ops/prometheus/rules/ read. Mount it on any registry (the dashboard API serves it on its
/metrics). A database that cannot be read gives ``shopflow_ops_up 0`` and nothing else,
so a scrape never fails because of it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from shopflow.ops.freshness import Freshness, read_freshness
from shopflow.ops.signals import STATUS_VALUE, Signals, read_signals

log = logging.getLogger(__name__)

Connect = Callable[[], AbstractContextManager[psycopg.Connection[Any]]]


class OpsCollector(Collector):
    def __init__(self, connect: Connect, freshness_hours: dict[str, float]) -> None:
        self._connect = connect
        self._freshness_hours = freshness_hours

    def describe(self) -> list[Metric]:
        return []  # no query when the collector is registered

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("shopflow_ops_up", "1 when the ops ledger could be read")
        try:
            with self._connect() as conn:
                signals = read_signals(conn)
                freshness = read_freshness(conn, self._freshness_hours)
        except (psycopg.Error, OSError) as exc:
            log.warning("ops metrics unavailable", extra={"error": str(exc)})
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from build_metrics(signals)
        yield from ledger_metrics(signals)
        yield from freshness_metrics(freshness)


def build_metrics(signals: Signals) -> Iterator[Metric]:
    builds = CounterMetricFamily("shopflow_builds", "Warehouse builds recorded, by status",
                                 labels=["status"])
    for status, count in sorted(signals.builds_by_status.items()):
        builds.add_metric([status], count)
    yield builds
    latest = GaugeMetricFamily("shopflow_build_latest_failed",
                               "1 when the newest finished build failed (not quality)")
    latest.add_metric([], 1 if signals.latest_build_status == "failed" else 0)
    yield latest
    given_up = GaugeMetricFamily("shopflow_batches_given_up",
                                 "Batches whose build was given up and not built since")
    given_up.add_metric([], signals.batches_given_up)
    yield given_up
    success = GaugeMetricFamily("shopflow_build_last_success_timestamp_seconds",
                                "When the newest succeeded build finished")
    if signals.last_success_at is not None:
        success.add_metric([], signals.last_success_at.timestamp())
    yield success
    checks = GaugeMetricFamily(
        "shopflow_quality_check_status",
        "Latest result per check: 0 pass, 1 warn, 2 fail (source build or monitor)",
        labels=["source", "check"])
    for (source, name), status in sorted(signals.checks.items()):
        checks.add_metric([source, name], STATUS_VALUE[status])
    yield checks


def ledger_metrics(signals: Signals) -> Iterator[Metric]:
    quarantined = CounterMetricFamily("shopflow_files_quarantined",
                                      "Files quarantined, ever", labels=["entity"])
    recent = GaugeMetricFamily("shopflow_files_quarantined_recent",
                               "Files quarantined in the last 24 hours", labels=["entity"])
    for entity, (total, last_day) in sorted(signals.quarantined.items()):
        quarantined.add_metric([entity], total)
        recent.add_metric([entity], last_day)
    yield quarantined
    yield recent
    letters = CounterMetricFamily("shopflow_dead_letters", "Dead letters recorded, ever",
                                  labels=["entity"])
    open_letters = GaugeMetricFamily("shopflow_dead_letters_open",
                                     "Dead letters not resolved by a replay", labels=["entity"])
    for entity, (total, unresolved) in sorted(signals.dead_letters.items()):
        letters.add_metric([entity], total)
        open_letters.add_metric([entity], unresolved)
    yield letters
    yield open_letters


def freshness_metrics(entries: list[Freshness]) -> Iterator[Metric]:
    latest = GaugeMetricFamily("shopflow_entity_latest_business_date_seconds",
                               "Newest business date received (midnight UTC)",
                               labels=["entity"])
    arrived = GaugeMetricFamily("shopflow_entity_last_new_date_seconds",
                                "When the newest business date first arrived",
                                labels=["entity"])
    limit = GaugeMetricFamily("shopflow_entity_freshness_limit_seconds",
                              "How long an entity may go without a new business date",
                              labels=["entity"])
    stale = GaugeMetricFamily("shopflow_entity_stale",
                              "1 when no new business date arrived within the limit",
                              labels=["entity"])
    for entry in entries:
        limit.add_metric([entry.entity], entry.expected_hours * 3600)
        stale.add_metric([entry.entity], 1 if entry.stale else 0)
        if entry.arrived_at is not None and entry.latest_business_date is not None:
            midnight = entry.latest_business_date.toordinal() - 719163  # days since 1970
            latest.add_metric([entry.entity], midnight * 86400)
            arrived.add_metric([entry.entity], entry.arrived_at.timestamp())
    yield latest
    yield arrived
    yield limit
    yield stale
