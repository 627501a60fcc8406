"""The whole platform over TLS (Kafka SSL listener, PostgreSQL sslmode=verify-full) gives
the same figures as a plain run of the same batches. The TLS servers come from
scripts/infra/tls.sh (own ports and directories); this module stops them if it started them."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest

from shopflow.db.connect import with_database, with_user
from shopflow.db.migrate import upgrade
from shopflow.generate.config import GenerationConfig
from shopflow.generate.run import generate
from shopflow.ingest.submit import submit
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics
from tests.e2e.platform import Platform
from tests.e2e.truth import api_differences, load_truth

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
TLS = REPO / "scripts" / "infra" / "tls.sh"
CERTS = REPO / ".infra" / "tls" / "certs"
KAFKA_TLS, PG_TLS = "127.0.0.1:19092", "127.0.0.1:15432"
ROLES = ("ingestor", "loader", "transformer", "api")


@pytest.fixture(scope="module")
def tls_servers() -> Iterator[None]:
    running = subprocess.run([str(TLS), "status"], capture_output=True, check=False)
    if running.returncode != 0:
        subprocess.run([str(TLS), "up"], check=True, timeout=600)
    yield
    if running.returncode != 0:
        subprocess.run([str(TLS), "down"], check=False, timeout=300)


def _tls_url(database: str, role: str = "shopflow") -> str:
    base = (f"postgresql://shopflow@{PG_TLS}/postgres"
            f"?sslmode=verify-full&sslrootcert={CERTS / 'ca.crt'}")
    return with_user(with_database(base, database), role)


@pytest.fixture
def tls_database(tls_servers: None) -> Iterator[str]:
    name = f"t_tls_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_tls_url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    upgrade(_tls_url(name))
    yield name
    with psycopg.connect(_tls_url("postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def tls_settings(plain: Settings, database: str, tmp_path: Path) -> Settings:
    return plain.model_copy(update={
        "kafka_bootstrap": KAFKA_TLS, "kafka_security_protocol": "SSL",
        "kafka_ssl_ca_location": CERTS / "ca.crt",
        "kafka_ssl_certificate_location": CERTS / "client.crt",
        "kafka_ssl_key_location": CERTS / "client.key",
        "database_url": _tls_url(database),
        **{f"{role}_database_url": _tls_url(database, f"shopflow_{role}") for role in ROLES},
        "landing_dir": tmp_path / "tls-landing", "quarantine_dir": tmp_path / "tls-quarantine",
    })


def _run(settings: Settings, out: Path, logs: Path) -> dict[str, Any]:
    """Ingest every batch of `out`, wait for the warehouse, return what the API says."""
    create_topics(settings)
    platform = Platform(settings, logs)
    platform.start_all()
    try:
        batch_ids = submit(out, settings.landing_dir)
        platform.wait_for(lambda: platform.batches_built(batch_ids), 300, "batches built")
        assert platform.crashed() == []
        truth = load_truth(out)
        assert api_differences(platform, truth) == []
        days = sorted(truth["metrics"]["daily"])
        span = f"start={days[0]}&end={days[-1]}"
        return {"kpis": platform.api(f"/api/v1/kpis?{span}"),
                "categories": platform.api(f"/api/v1/categories?{span}"),
                "dead_letters": platform.query("SELECT count(*) FROM ops.dead_letters"),
                "connections": platform.query(
                    "SELECT DISTINCT a.usename, s.ssl FROM pg_stat_activity a"
                    " JOIN pg_stat_ssl s USING (pid) WHERE a.datname = current_database()"
                    " AND starts_with(a.usename, 'shopflow_') ORDER BY 1")}
    finally:
        platform.stop_all()


def test_a_tls_run_gives_the_same_figures_as_a_plain_run(
        platform_settings: Settings, tls_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "generated"
    generate(GenerationConfig(days=2, start=date(2026, 3, 1), orders_per_day=25, seed=11,
                              defect_rate=0.03, out=out))
    plain = _run(platform_settings, out, tmp_path / "plain-logs")
    # dbt (psycopg2, in the transformer) takes the CA from libpq's environment.
    monkeypatch.setenv("PGSSLROOTCERT", str(CERTS / "ca.crt"))
    tls = _run(tls_settings(platform_settings, tls_database, tmp_path), out,
               tmp_path / "tls-logs")
    assert {k: v for k, v in tls.items() if k != "connections"} == {
        k: v for k, v in plain.items() if k != "connections"}
    assert plain["kpis"]["orders"] > 0
    # Every service role was connected over TLS (the server refuses anything else).
    roles = {user for user, _ in tls["connections"]}
    assert {"shopflow_loader", "shopflow_api"} <= roles, tls["connections"]
    assert all(ssl for _, ssl in tls["connections"])
    assert not any(ssl for _, ssl in plain["connections"])
