"""One Settings object for every service and the CLI (environment prefix SHOPFLOW_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SHOPFLOW_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    kafka_bootstrap: str = "localhost:9092"
    topic_prefix: str = Field("shopflow", pattern=r"^[A-Za-z0-9._-]+$")
    topic_partitions: int = Field(6, ge=1, le=1000)
    topic_replication: int = Field(1, ge=1)
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

    landing_dir: Path = Path("data/landing")
    quarantine_dir: Path = Path("data/quarantine")
    max_file_bytes: int = Field(4 * 1024**3, ge=1)
    max_line_bytes: int = Field(1024 * 1024, ge=64)
    poll_interval_s: float = Field(1.0, gt=0)

    api_key: SecretStr = SecretStr("change-me")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_range_days: int = Field(3660, ge=1)
    api_max_body_bytes: int = Field(1024 * 1024, ge=1)

    metrics_port: int = Field(0, ge=0, description="0 = pick a free port (scaled services)")
    metrics_host: str = "0.0.0.0"  # noqa: S104 - containers expose it; bind locally via env
    log_level: str = "INFO"
    dlq_max_attempts: int = Field(5, ge=1)
    fiscal_year_start_month: int = Field(1, ge=1, le=12)

    def database_url_for(self, service: str) -> str:
        override = getattr(self, f"{service}_database_url", None)
        return override or self.database_url


@lru_cache
def get_settings() -> Settings:
    return Settings()
