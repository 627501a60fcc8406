"""PostgreSQL stopped for ~10 s in the middle of a run: the loader waits and carries on.

The shared PostgreSQL serves every other test, so this test runs its own throwaway
server, stops it with `pg_ctl stop -m immediate` (a crash, as far as clients can
tell) while the loader is writing, and starts it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopflow.db.connect import with_user
from shopflow.db.migrate import upgrade
from shopflow.runtime.settings import Settings
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
from tests.integration.loader.throwaway_pg import ThrowawayPostgres

pytestmark = pytest.mark.integration
OUTAGE_SECONDS = 10


@pytest.fixture
def private_pg() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres().init()
    try:
        upgrade(server.url)
        yield server
    finally:
        server.destroy()


def test_loader_rides_out_a_database_outage(settings: Settings, kafka_bootstrap: str,
                                            private_pg: ThrowawayPostgres,
                                            tmp_path: Path) -> None:
    feed: list[BatchFeed] = generated_feed(tmp_path / "generated")
    url = private_pg.url
    platform = settings.model_copy(update={
        "database_url": url, "loader_database_url": with_user(url, "shopflow_loader")})
    publish_run(platform, feed)
    loader = LoaderProcess(platform, tmp_path, SHOPFLOW_CONSUME_BATCH_SIZE="1").start()
    try:
        wait_until(lambda: staged_rows(url) > 0, 60, "loading to start",
                   check=loader.assert_running, poll=0.05)
        rows_before_outage = staged_rows(url)
        private_pg.stop("immediate")
        stopped = time.monotonic()
        total = sum(len(f.valid) for b in feed for f in b.files)
        assert rows_before_outage < total, "the run ended before the outage began"
        time.sleep(2)
        status, body = loader.get("/health")
        assert status == 503 and '"database": false' in body
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - stopped)))
        loader.assert_running()  # never exits on a database outage
        private_pg.start()
        wait_until(lambda: all_complete(url, feed), 90, "every batch complete",
                   check=loader.assert_running)
        assert_loaded_exactly_once(platform, url, feed)
        assert loader.get("/health")[0] == 200
        assert "database unavailable, retrying" in loader.log_text()
    finally:
        assert loader.stop() == 0
