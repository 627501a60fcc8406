"""Fault tests on real processes: SIGKILL each service type mid-run, restart the Kafka broker
and PostgreSQL, and still end with exactly the generator's truth everywhere."""

from __future__ import annotations

import random
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest

from shopflow.generate.config import GenerationConfig
from shopflow.generate.run import generate
from shopflow.ingest.submit import submit
from shopflow.runtime.settings import Settings
from shopflow.topics import create_topics
from tests.e2e.platform import Platform
from tests.e2e.truth import (
    api_differences,
    assert_loaded_exactly_once,
    load_truth,
)

# It restarts the shared Kafka and PostgreSQL: nothing else may run meanwhile.
pytestmark = [pytest.mark.e2e, pytest.mark.serial]

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "scripts" / "infra" / "infra.sh"


def _restart_infra(component: str) -> None:
    subprocess.run([str(INFRA), f"restart-{component}"], check=True, timeout=300)


def _submit_day(out: Path, landing: Path, batch_id: str) -> None:
    submit(out / batch_id, landing)


def test_kills_and_infrastructure_restarts_lose_nothing(platform_settings: Settings,
                                                        tmp_path: Path) -> None:
    rng = random.Random(20261121)
    out = tmp_path / "generated"
    generate(GenerationConfig(days=8, start=date(2026, 4, 1), orders_per_day=40, seed=11,
                              defect_rate=0.03, out=out))
    truth = load_truth(out)
    batch_ids = sorted(truth["batches"])
    create_topics(platform_settings)
    platform = Platform(platform_settings, tmp_path / "logs")
    platform.start_all()
    landing = platform_settings.landing_dir
    # Each step submits a day, waits a random moment, then does one fault.
    faults = [
        lambda: platform.kill("validator"),
        lambda: platform.kill("loader"),
        lambda: _restart_infra("kafka"),
        lambda: platform.kill("ingestor"),
        lambda: platform.kill("transformer"),
        lambda: _restart_infra("postgres"),
        lambda: platform.kill("loader"),
        lambda: platform.kill("dashboard_api"),
    ]
    try:
        for batch_id, fault in zip(batch_ids, faults, strict=True):
            _submit_day(out, landing, batch_id)
            time.sleep(rng.uniform(0.2, 2.5))
            fault()
        platform.wait_for(lambda: platform.batches_built(batch_ids), 480, "all batches built")

        assert_loaded_exactly_once(platform, truth, out, batch_ids)
        platform.wait_for(lambda: platform.api("/health")["status"] == "ok", 60, "API health")
        assert api_differences(platform, truth) == []
    finally:
        platform.stop_all()
