"""The API reading from a streaming replica: its ETags never claim a build the replica has
not replayed yet, and writes (the replay audit) go to the primary."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient

from services.dashboard_api.app import create_app
from shopflow.db.connect import with_user
from shopflow.db.migrate import upgrade
from shopflow.runtime.settings import Settings
from tests.conftest import TestDatabase
from tests.integration.api.conftest import API_KEY
from tests.integration.loader.throwaway_pg import PrimaryWithReplica
from tests.integration.transformer.scenario import Warehouse, customer, line, order, product

pytestmark = pytest.mark.integration
KPIS = "/api/v1/kpis?start=2026-01-01&end=2026-01-02"


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[PrimaryWithReplica]:
    databases = PrimaryWithReplica(tmp_path / "infra")
    try:
        upgrade(databases.primary.url)
        yield databases
    finally:
        databases.destroy()


def stage_day(wh: Warehouse, batch: str, day: str, order_id: str, quantity: int) -> None:
    wh.stage(batch, day, customers=[customer("C1", "gold", f"{day}T00:00:00Z")],
             products=[product("P1", "Toys", f"{day}T00:00:00Z")],
             orders=[order(order_id, "C1", f"{day}T09:00:00Z")],
             order_items=[line(order_id, 1, "P1", quantity)])


def wait_replayed(pg: PrimaryWithReplica, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while pg.replay_lag_bytes() != 0 or replica_builds(pg) != primary_builds(pg):
        assert time.monotonic() < deadline, "the replica did not catch up"
        time.sleep(0.2)


def replica_builds(pg: PrimaryWithReplica) -> int:
    with psycopg.connect(pg.replica_url) as conn:
        return int(conn.execute("SELECT count(*) FROM ops.builds").fetchone()[0])


def primary_builds(pg: PrimaryWithReplica) -> int:
    with psycopg.connect(pg.primary.url) as conn:
        return int(conn.execute("SELECT count(*) FROM ops.builds").fetchone()[0])


def test_etags_follow_what_the_replica_has_replayed(pg: PrimaryWithReplica,
                                                    kafka_bootstrap: str) -> None:
    wh = Warehouse(TestDatabase(name="shopflow", url=pg.primary.url))
    stage_day(wh, "b1", "2026-01-01", "O1", 2)
    assert wh.build("b1").status == "succeeded"
    pg.start_replica()
    wait_replayed(pg)
    settings = Settings(database_url=pg.primary.url, kafka_bootstrap=kafka_bootstrap,
                        api_database_url=with_user(pg.replica_url, "shopflow_api"),
                        api_primary_database_url=with_user(pg.primary.url, "shopflow_api"),
                        api_key=API_KEY)  # type: ignore[arg-type]
    with TestClient(create_app(settings), raise_server_exceptions=False) as client, \
            psycopg.connect(pg.replica_url, autocommit=True) as replica:
        first = client.get(KPIS)
        assert first.status_code == 200 and first.json()["orders"] == 1
        replica.execute("SELECT pg_wal_replay_pause()")
        stage_day(wh, "b2", "2026-01-02", "O2", 3)
        assert wh.build("b2").status == "succeeded"  # committed on the primary only
        behind = client.get(KPIS, headers={"If-None-Match": first.headers["etag"]})
        assert behind.status_code == 304  # the replica is still at the first build
        assert client.get(KPIS).json()["orders"] == 1
        replica.execute("SELECT pg_wal_replay_resume()")
        wait_replayed(pg)
        caught_up = client.get(KPIS, headers={"If-None-Match": first.headers["etag"]})
        assert caught_up.status_code == 200 and caught_up.json()["orders"] == 2
        assert caught_up.headers["etag"] != first.headers["etag"]


def test_a_replay_writes_its_audit_on_the_primary(pg: PrimaryWithReplica,
                                                  kafka_bootstrap: str,
                                                  unique_prefix: str) -> None:
    pg.start_replica()
    settings = Settings(database_url=pg.primary.url, kafka_bootstrap=kafka_bootstrap,
                        topic_prefix=unique_prefix, topic_partitions=1,
                        api_database_url=with_user(pg.replica_url, "shopflow_api"),
                        api_primary_database_url=with_user(pg.primary.url, "shopflow_api"),
                        api_key=API_KEY)  # type: ignore[arg-type]
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        answer = client.post("/api/v1/dead-letters/replay", json={"entity": "orders"},
                             headers={"X-API-Key": API_KEY})
    assert answer.status_code == 200, answer.text
    with psycopg.connect(pg.primary.url) as conn:
        assert conn.execute("SELECT count(*) FROM ops.dlq_replays").fetchone()[0] == 1
