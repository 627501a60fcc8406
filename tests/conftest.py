"""Fixtures shared by every test: real Kafka and PostgreSQL, isolated per test.

Each test gets its own topic prefix and consumer-group prefix (so its topics and
groups are unique) and, when it asks for a database, its own database cloned
from a template that the current migrations were applied to once per session.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from shopflow.db.connect import with_database, with_user
from shopflow.runtime.settings import Settings

# Per session, so overlapping pytest sessions (developers, CI) never drop each other's template.
TEMPLATE_DB = f"shopflow_test_template_{os.getpid()}"
DEFAULT_DB_URL = "postgresql://shopflow@127.0.0.1:5432/shopflow"
MIGRATION_LOCK_KEY = 7_306_228_110_099


def _admin_url() -> str:
    return os.environ.get("SHOPFLOW_DATABASE_URL", DEFAULT_DB_URL)


def _bootstrap() -> str:
    return os.environ.get("SHOPFLOW_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    from confluent_kafka.admin import AdminClient

    bootstrap = _bootstrap()
    try:
        AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=15)
    except Exception as exc:
        pytest.fail(f"Kafka at {bootstrap} is not reachable (make infra-up): {exc}")
    return bootstrap


@contextmanager
def one_migration_at_a_time() -> Iterator[None]:
    """Roles belong to the whole cluster: the migrations of parallel test workers (make
    test runs two) would race to create and grant them, so they take turns."""
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK_KEY,))
        yield


@pytest.fixture(scope="session")
def migrated_template() -> Iterator[str]:
    """A database at migration head; every test database is a copy of it."""
    from shopflow.db.migrate import upgrade

    admin = _admin_url()
    template_url = with_database(admin, TEMPLATE_DB)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {TEMPLATE_DB}")
    with one_migration_at_a_time():
        upgrade(template_url)
    yield template_url
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {TEMPLATE_DB} WITH (FORCE)")


@dataclass(frozen=True)
class TestDatabase:
    __test__ = False  # a fixture value, not a test class
    name: str
    url: str  # owner (migrations, test set-up)

    def url_as(self, role: str) -> str:
        return with_user(self.url, role)


@pytest.fixture
def database(migrated_template: str) -> Iterator[TestDatabase]:
    admin = _admin_url()
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB}")
    yield TestDatabase(name=name, url=with_database(admin, name))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def unique_prefix() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def _delete_topics(prefix: str) -> None:
    """Drop a test's topics so the broker does not accumulate thousands of partitions."""
    from confluent_kafka.admin import AdminClient

    try:
        admin = AdminClient({"bootstrap.servers": _bootstrap()})
        names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(f"{prefix}.")]
        if names:
            for future in admin.delete_topics(names, operation_timeout=30).values():
                future.result()
    except Exception as exc:  # cleanup must not turn a passing test red
        print(f"topic cleanup for {prefix} failed: {exc}")


@pytest.fixture
def settings(tmp_path: Path, unique_prefix: str) -> Iterator[Settings]:
    """Settings isolated to this test (topics, groups, directories); no database.

    The test's topics (all named ``<unique_prefix>.…``) are deleted afterwards."""
    yield Settings(
        kafka_bootstrap=_bootstrap(),
        topic_prefix=unique_prefix,
        consumer_group_prefix=unique_prefix,
        topic_partitions=3,
        database_url=_admin_url(),
        landing_dir=tmp_path / "landing",
        quarantine_dir=tmp_path / "quarantine",
        metrics_port=0,
        metrics_host="127.0.0.1",
    )
    _delete_topics(unique_prefix)


@pytest.fixture
def platform_settings(settings: Settings, database: TestDatabase,
                      kafka_bootstrap: str) -> Settings:
    """Settings for a test that uses Kafka and its own database, with per-service roles."""
    return settings.model_copy(update={
        "database_url": database.url,
        "ingestor_database_url": database.url_as("shopflow_ingestor"),
        "loader_database_url": database.url_as("shopflow_loader"),
        "transformer_database_url": database.url_as("shopflow_transformer"),
        "api_database_url": database.url_as("shopflow_api"),
    })


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment for a subprocess that must see exactly these settings."""
    env = dict(os.environ)
    for key, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        if key == "api_key":
            value = settings.api_key.get_secret_value()
        if isinstance(value, dict | list):
            value = json.dumps(value)  # how pydantic-settings reads complex fields
        env[f"SHOPFLOW_{key.upper()}"] = str(value)
    return env
