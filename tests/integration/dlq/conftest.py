"""Fixtures of the dead-letter tooling tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shopflow.runtime.settings import Settings, get_settings
from tests.conftest import settings_env


@pytest.fixture
def cli_settings(platform_settings: Settings,
                 monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    settings = platform_settings.model_copy(update={"dlq_max_attempts": 3})
    for key, value in settings_env(settings).items():
        if key.startswith("SHOPFLOW_"):
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("USER", "tester")
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()
