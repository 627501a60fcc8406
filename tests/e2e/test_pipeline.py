"""The whole pipeline as real processes: two validators and two loaders, figures = truth."""

from __future__ import annotations

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
    expected_staging_rows,
    load_truth,
    missing_dead_letters,
    staging_rows,
)

pytestmark = pytest.mark.e2e


def test_scaled_pipeline_matches_truth(platform_settings: Settings, tmp_path: Path) -> None:
    out = tmp_path / "generated"
    generate(GenerationConfig(days=4, start=date(2026, 3, 1), orders_per_day=40, seed=7,
                              defect_rate=0.03, out=out))
    truth = load_truth(out)
    create_topics(platform_settings)
    platform = Platform(platform_settings, tmp_path / "logs")
    platform.start_all(validators=2, loaders=2)
    try:
        batch_ids = submit(out, platform_settings.landing_dir)
        platform.wait_for(lambda: platform.batches_built(batch_ids), 300, "all batches built")
        assert platform.crashed() == []

        expected = expected_staging_rows(truth)
        entities = {info["entity"] for b in truth["batches"].values()
                    for info in b["files"].values()}
        assert staging_rows(platform, entities) == expected
        assert missing_dead_letters(platform, out) == []
        completions = platform.query(
            "SELECT batch_id, completions FROM ops.batches WHERE batch_id = ANY(%s)",
            (batch_ids,))
        assert sorted(completions) == [(b, 1) for b in sorted(batch_ids)]
        assert api_differences(platform, truth) == []
    finally:
        platform.stop_all()
