"""Pure pieces of the operations code: topic configs per kind, the volume rule and the
freshness/retention settings."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from shopflow.ops.volume import _check
from shopflow.runtime.settings import FRESHNESS_HOURS, Settings
from shopflow.topics import all_topics, kind_of, topic_config


def test_every_platform_topic_gets_its_kinds_retention() -> None:
    settings = Settings(topic_prefix="shop.eu", retention_raw_ms=1000, retention_valid_ms=2000,
                        retention_dlq_ms=-1, retention_control_ms=4000)
    expected = {"raw": "1000", "valid": "2000", "dlq": "-1", "control": "4000"}
    for name in all_topics(settings):
        kind = kind_of(settings, name)
        assert kind is not None
        assert topic_config(settings, name) == {
            "max.message.bytes": str(settings.max_message_bytes),
            "retention.ms": expected[kind]}


def test_foreign_topics_keep_the_brokers_retention() -> None:
    settings = Settings(topic_prefix="shop")
    for name in ("other.raw.orders", "shop.audit.x", "shop", "shopx.raw.orders"):
        assert kind_of(settings, name) is None
        assert "retention.ms" not in topic_config(settings, name)


def _days(*volumes: float) -> list[tuple[object, float]]:
    return [(date(2026, 1, i + 1), v) for i, v in enumerate(volumes)]


def test_volume_warns_on_a_drop_below_the_ratio_of_the_median() -> None:
    dropped = _check("orders", _days(100, 120, 80, 110, 40), drop_ratio=0.5)
    assert dropped.status == "warn"
    assert float(dropped.observed) == round(40 / 105, 4)  # ratio to the median
    assert dropped.details["keys"] == ["2026-01-05"]
    assert _check("orders", _days(100, 120, 80, 110, 60), drop_ratio=0.5).status == "pass"
    assert _check("orders", _days(100, 120, 80, 110, 500), drop_ratio=0.5).status == "pass"


def test_volume_needs_a_baseline() -> None:
    outcome = _check("orders", _days(100, 120, 1), drop_ratio=0.5)
    assert outcome.status == "pass" and "not checked" in outcome.details["note"]


def test_freshness_hours_merge_with_the_defaults_and_reject_nonsense() -> None:
    hours = Settings(freshness_hours={"campaigns": 400}).freshness_hours
    assert hours == {**FRESHNESS_HOURS, "campaigns": 400}
    with pytest.raises(ValidationError, match="unknown entities"):
        Settings(freshness_hours={"oders": 26})
    with pytest.raises(ValidationError, match="positive"):
        Settings(freshness_hours={"orders": 0})
    with pytest.raises(ValidationError):
        Settings(retention_staging_days=0)
