"""The loader service as real processes on the real broker and database."""

from __future__ import annotations

import random
import time
from functools import partial
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from shopflow.load.messages import loader_topics
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics
from tests.conftest import TestDatabase
from tests.integration.loader.feed import BatchFeed
from tests.integration.loader.processes import LoaderProcess
from tests.integration.loader.support import (
    all_complete,
    assert_loaded_exactly_once,
    generated_feed,
    publish_run,
    staged_rows,
    wait_until,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> list[BatchFeed]:
    return generated_feed(tmp_path_factory.mktemp("generated"))


def test_generated_run_loads_once_and_completes_each_batch_once(
        platform_settings: Settings, database: TestDatabase, feed: list[BatchFeed],
        tmp_path: Path) -> None:
    publish_run(platform_settings, feed)
    loader = LoaderProcess(platform_settings, tmp_path).start()
    try:
        wait_until(lambda: all_complete(database.url, feed), 60, "every batch complete",
                   check=loader.assert_running)
        assert_loaded_exactly_once(platform_settings, database.url, feed)
    finally:
        assert loader.stop() == 0


def test_sigkill_at_random_moments_loses_and_duplicates_nothing(
        platform_settings: Settings, database: TestDatabase, feed: list[BatchFeed],
        tmp_path: Path) -> None:
    publish_run(platform_settings, feed)
    # One chunk of 10 records per message batch: the run spans hundreds of transactions to
    # be killed between, and five kills end well before the run does (with 5 chunks per
    # batch the loader once finished all 8,255 rows before the last kill). Static
    # membership: a restarted process takes its partitions back without a rebalance.
    loader = LoaderProcess(platform_settings, tmp_path, SHOPFLOW_CONSUME_BATCH_SIZE="1",
                           SHOPFLOW_CONSUMER_INSTANCE_ID="loader-1")
    total = sum(len(f.valid) for b in feed for f in b.files)
    rng = random.Random()
    rows_at_kills: list[int] = []
    for _ in range(5):
        before = staged_rows(database.url)
        loader.start()
        # kill at a random moment once this process is loading (not while it imports)
        wait_until(partial(more_rows_than, database.url, before), 60,
                   "progress after a restart", check=loader.assert_running, poll=0.05)
        time.sleep(rng.uniform(0, 0.3))
        loader.kill()
        rows_at_kills.append(staged_rows(database.url))
    print(f"staged rows at each kill: {rows_at_kills} of {total}")
    assert rows_at_kills[-1] < total, f"the run ended before the last kill: {rows_at_kills}"
    loader.start(SHOPFLOW_CONSUME_BATCH_SIZE="500")
    try:
        wait_until(lambda: all_complete(database.url, feed), 90, "every batch complete",
                   check=loader.assert_running)
        assert_loaded_exactly_once(platform_settings, database.url, feed, killed=True)
    finally:
        loader.stop()


def more_rows_than(url: str, rows: int) -> bool:
    return staged_rows(url) > rows


def group_members_with_partitions(settings: Settings, group: str) -> int:
    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    [future] = admin.describe_consumer_groups([group]).values()
    description = future.result(timeout=10)
    return sum(1 for m in description.members
               if m.assignment and m.assignment.topic_partitions)



def test_two_loaders_in_one_group_give_the_same_exact_result(
        platform_settings: Settings, database: TestDatabase, feed: list[BatchFeed],
        tmp_path: Path) -> None:
    create_topics(platform_settings, loader_topics(platform_settings))
    loaders = [LoaderProcess(platform_settings, tmp_path, name=f"loader{i}",
                             SHOPFLOW_CONSUME_BATCH_SIZE="20") for i in (1, 2)]
    for loader in loaders:
        loader.start()
    try:
        def both_running() -> None:
            for loader in loaders:
                loader.assert_running()

        group = f"{platform_settings.consumer_group_prefix}.loader"
        wait_until(lambda: group_members_with_partitions(platform_settings, group) == 2, 60,
                   "both loaders in the group", check=both_running)
        publish_run(platform_settings, feed)
        wait_until(lambda: all_complete(database.url, feed), 90, "every batch complete",
                   check=both_running)
        assert_loaded_exactly_once(platform_settings, database.url, feed)
        shares = [loader.rows_written() for loader in loaders]
        assert all(share > 0 for share in shares), f"one loader did all the work: {shares}"
    finally:
        codes = [loader.stop() for loader in loaders]
    assert codes == [0, 0]
