from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from shopflow.generate import GenerationConfig, GenerationSummary, generate


@pytest.fixture(scope="session")
def defective_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    """Short and defect-heavy: every file fault and most defect kinds show up."""
    out = tmp_path_factory.mktemp("defective")
    return generate(GenerationConfig(days=12, start=date(2026, 3, 2), orders_per_day=80,
                                     seed=11, defect_rate=0.05, out=out))


@pytest.fixture(scope="session")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> GenerationSummary:
    """Four clean weeks for the statistical properties."""
    out = tmp_path_factory.mktemp("clean")
    return generate(GenerationConfig(days=28, start=date(2026, 1, 5), orders_per_day=60,
                                     seed=5, defect_rate=0.0, out=out))


@pytest.fixture(scope="session")
def defective_out(defective_run: GenerationSummary) -> Path:
    return defective_run.out


@pytest.fixture(scope="session")
def clean_out(clean_run: GenerationSummary) -> Path:
    return clean_run.out
