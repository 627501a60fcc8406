"""One Settings object for every service and the CLI (environment prefix SHOPFLOW_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DAY_MS = 24 * 3600 * 1000
# Daily feeds get a day plus two hours of slack; slower-moving entities more.
FRESHNESS_HOURS: dict[str, float] = {
    "orders": 26, "order_items": 26, "clickstream": 26, "inventory": 26, "customers": 26,
    "products": 72, "reviews": 72, "campaigns": 192,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPFLOW_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    kafka_bootstrap: str = "localhost:9092"
    # TLS to Kafka (librdkafka names, docs/security.md): SSL with the CA that signed the
    # broker's certificate; a client certificate and key only if the broker asks for one.
    kafka_security_protocol: Literal["PLAINTEXT", "SSL"] = "PLAINTEXT"
    kafka_ssl_ca_location: Path | None = None
    kafka_ssl_certificate_location: Path | None = None
    kafka_ssl_key_location: Path | None = None
    kafka_ssl_key_password: SecretStr | None = None
    topic_prefix: str = Field("shopflow", pattern=r"^[A-Za-z0-9._-]+$")
    topic_partitions: int = Field(6, ge=1, le=1000)
    # Replicas per topic and how many must acknowledge a write (acks=all). Unset: three
    # replicas and two in sync when the cluster has three brokers or more, else one and one.
    topic_replication: int | None = Field(None, ge=1)
    topic_min_insync_replicas: int | None = Field(None, ge=1)
    consumer_group_prefix: str = "shopflow"
    consume_batch_size: int = Field(50, ge=1)  # messages; a message is a chunk of records
    # A chunk holds records of one file, up to this many records and bytes (JSON text).
    chunk_max_records: int = Field(1000, ge=1)
    chunk_max_bytes: int = Field(512 * 1024, ge=1024, le=900_000)
    # Topic max.message.bytes (set when topics are created) and the producers' limit: a
    # single record up to max_line_bytes must fit, even escaped into a chunk's JSON.
    max_message_bytes: int = Field(8 * 1024 * 1024, ge=1_048_576)
    consume_timeout_s: float = Field(0.5, gt=0)
    # Static group membership (KIP-345), unique per process: a restarted process gets its
    # partitions back at once instead of after a session timeout. Unset = dynamic.
    consumer_instance_id: str | None = None

    database_url: str = "postgresql://shopflow@localhost:5432/shopflow"
    # Per-service overrides: each service connects as its own role (SPEC section 6).
    ingestor_database_url: str | None = None
    loader_database_url: str | None = None
    transformer_database_url: str | None = None
    api_database_url: str | None = None
    # Where the API writes (the replay audit, and the ledger reads a replay acts on) when
    # api_database_url points at a read replica; unset = api_database_url.
    api_primary_database_url: str | None = None

    landing_dir: Path = Path("data/landing")
    quarantine_dir: Path = Path("data/quarantine")
    max_file_bytes: int = Field(4 * 1024**3, ge=1)
    max_line_bytes: int = Field(1024 * 1024, ge=64)
    # How often the ingestor lists the landing area: a directory listing, so a quarter of a
    # second costs nothing and keeps it out of the _SUCCESS -> API latency.
    poll_interval_s: float = Field(0.25, gt=0)

    # An optional operator key with every scope; no default, and the API refuses an empty
    # or placeholder one. Prefer `shopflow keys create` (hashed, scoped, revocable).
    api_key: SecretStr | None = None
    # Whether aggregate endpoints need a key (metrics:read). Unset: they do when the API
    # listens beyond localhost (api_host not a loopback address).
    api_metrics_require_key: bool | None = None
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_range_days: int = Field(3660, ge=1)
    api_max_body_bytes: int = Field(1024 * 1024, ge=1)

    metrics_port: int = Field(0, ge=0, description="0 = pick a free port (scaled services)")
    metrics_host: str = "0.0.0.0"  # noqa: S104 - containers expose it; bind locally via env
    log_level: str = "INFO"
    dlq_max_attempts: int = Field(5, ge=1)
    fiscal_year_start_month: int = Field(1, ge=1, le=12)
    # The transformer builds the dbt project's models (reporting, custom) after each
    # warehouse build (docs/warehouse.md).
    dbt_models_after_build: bool = True
    # A build that fails while the database answers is retried with backoff (1 s doubling
    # to 60 s) this many times, then given up (alert; later batches go on).
    build_max_attempts: int = Field(8, ge=1)
    # dbt's target folder (compiled SQL, the docs site the API serves at /warehouse/docs);
    # unset = warehouse/target. Shared by the transformer and the API in docker-compose.
    dbt_docs_dir: Path | None = None

    # Operations (issue 15, docs/operations.md). Freshness: hours an entity may go without a
    # new business date before it is stale (a JSON object; entities not given keep these).
    freshness_hours: dict[str, float] = Field(default_factory=lambda: dict(FRESHNESS_HOURS))
    # Statistical checks: robust z-score (|x - median| / (1.4826 * MAD)) above which a value
    # is an outlier, over the previous baseline_days; a day's volume below drop_ratio times
    # its baseline median is a drop.
    outlier_z_threshold: float = Field(6.0, gt=0)
    outlier_baseline_days: int = Field(28, ge=3)
    volume_drop_ratio: float = Field(0.5, gt=0, lt=1)
    # Retention (shopflow retention run). Topic retention.ms per kind, -1 = forever.
    retention_raw_ms: int = Field(7 * DAY_MS, ge=-1)
    retention_valid_ms: int = Field(7 * DAY_MS, ge=-1)
    retention_dlq_ms: int = Field(30 * DAY_MS, ge=-1)
    retention_control_ms: int = Field(30 * DAY_MS, ge=-1)
    retention_dead_letter_days: int = Field(30, ge=1)  # payloads of resolved letters
    retention_staging_days: int = Field(30, ge=1)  # superseded staging versions
    retention_processed_days: int = Field(7, ge=1)  # landing/.processed

    @field_validator("freshness_hours")
    @classmethod
    def _freshness_for_every_entity(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(FRESHNESS_HOURS))
        if unknown:
            raise ValueError(f"freshness_hours: unknown entities {unknown}")
        if any(hours <= 0 for hours in value.values()):
            raise ValueError("freshness_hours: hours must be positive")
        return {**FRESHNESS_HOURS, **value}

    def topic_retention_ms(self, kind: str) -> int:
        return int(getattr(self, f"retention_{kind}_ms"))

    def database_url_for(self, service: str) -> str:
        override = getattr(self, f"{service}_database_url", None)
        return override or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
