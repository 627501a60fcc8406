"""`shopflow ingest DIR --wait` against the real database: it follows the batch through
the shared read model and says in one line when nothing picks the batch up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from shopflow.cli.main import app
from shopflow.runtime.settings import get_settings
from tests.conftest import TestDatabase

pytestmark = pytest.mark.integration


def _ready_batch(root: Path, name: str) -> Path:
    batch = root / name
    batch.mkdir(parents=True)
    (batch / "orders.csv").write_text("order_id\n")
    (batch / "_SUCCESS").write_text('{"business_date": "2026-02-01"}')
    return root


def _ingest(database: TestDatabase, landing: Path, source: Path,
            monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("SHOPFLOW_DATABASE_URL", database.url)
    monkeypatch.setenv("SHOPFLOW_LANDING_DIR", str(landing))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["ingest", str(source), "--wait", *args])
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


def test_a_batch_no_ingestor_picks_up_is_named_with_the_landing_directory(
        database: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _ready_batch(tmp_path / "in", "batch-2026-02-01")
    landing = tmp_path / "landing"
    landing.mkdir()
    code, out, err = _ingest(database, landing, source, monkeypatch, "--timeout", "2")
    assert code == 1
    assert "batch-2026-02-01" in out and (landing / "batch-2026-02-01" / "_SUCCESS").exists()
    assert f"no ingestor picked up batch-2026-02-01 from {landing}" in err
    assert "SHOPFLOW_LANDING_DIR" in err


def test_a_built_batch_prints_its_figures_and_dead_letters(
        database: TestDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = datetime.now(UTC)
    with psycopg.connect(database.url) as conn:  # the ledgers, as the services leave them
        conn.execute(
            "INSERT INTO ops.batches (batch_id, business_date, opened_at, published_at,"
            " records_published, completed_at, completions)"
            " VALUES ('batch-2026-02-01', '2026-02-01', %s, %s, 3, %s, 1)", (now, now, now))
        conn.execute(
            "INSERT INTO ops.batch_files (batch_id, file_name, entity, status,"
            " records_published, loaded, rejected)"
            " VALUES ('batch-2026-02-01', 'orders.csv', 'orders', 'published', 3, 2, 1)")
        conn.execute(
            "INSERT INTO ops.builds (batch_id, batch_sequence, trigger, status, started_at,"
            " finished_at) VALUES ('batch-2026-02-01', 1, 'batch', 'succeeded', %s, %s)",
            (now, now))
    source = _ready_batch(tmp_path / "in", "batch-2026-02-01")
    landing = tmp_path / "landing"
    landing.mkdir()
    code, out, err = _ingest(database, landing, source, monkeypatch, "--timeout", "30")
    assert code == 0, out + err
    assert "build done" in out and "orders.csv" in out
    assert "batch-2026-02-01: no open dead letters" in out
