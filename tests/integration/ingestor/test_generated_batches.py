"""A generated run with defects, through the real ingestor and validator.

Every record ends up on the valid topic or on the dead-letter topic with the
catalogued code, and for every file published = valid + dead-lettered.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from contracts import latest_version
from shopflow.events import (
    BatchOpened,
    BatchPublished,
    FilePublished,
    FileQuarantined,
    FileSkipped,
)
from shopflow.generate import GenerationConfig, generate
from shopflow.ingest.runner import scan_once
from shopflow.ingest.submit import submit
from shopflow.runtime.kafka import EventProducer
from shopflow.runtime.settings import Settings
from shopflow.topics import dlq_topic, valid_topic
from tests.integration.ingestor.support import (
    control_events,
    output_topics,
    prepare_topics,
    raw_topics,
    read_topics,
    run_validator,
    topic_size,
)

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    generate(GenerationConfig(days=3, start=date(2026, 1, 1), orders_per_day=50, seed=11,
                              defect_rate=0.05, out=out))
    return out


def truth_of(out: Path) -> tuple[dict, dict[tuple[str, str, int], str]]:
    truth = json.loads((out / "truth.json").read_text())
    defects = {}
    for line in (out / "truth_defects.jsonl").read_text().splitlines():
        d = json.loads(line)
        if d["outcome"] == "dead_letter":
            defects[(d["batch_id"], d["file"], d["line"])] = d["code"]
    return truth, defects


def test_every_generated_record_is_valid_or_dead_lettered_with_its_code(
        platform_settings: Settings, generated: Path) -> None:
    settings = platform_settings
    prepare_topics(settings)
    truth, defects = truth_of(generated)
    batch_ids = submit(generated, settings.landing_dir)
    reports = scan_once(settings, EventProducer(settings))
    assert [r.batch_id for r in reports] == batch_ids == sorted(truth["batches"])

    raw = read_topics(settings, raw_topics(settings))
    run_validator(settings, expected_outputs=len(raw))
    outputs = read_topics(settings, output_topics(settings))

    published = _check_control_events(settings, truth)
    _check_raw_headers(raw)
    _check_outputs(settings, truth, defects, raw, outputs, published)
    assert not any((settings.landing_dir / b).exists() for b in batch_ids)
    assert sorted(p.name for p in (settings.landing_dir / ".processed").iterdir()) == batch_ids


def _check_control_events(settings: Settings, truth: dict) -> dict[tuple[str, str], int]:
    events = control_events(settings)
    published: dict[tuple[str, str], int] = {}
    for batch_id, batch in truth["batches"].items():
        mine = [e for e in events if e.batch_id == batch_id]
        assert isinstance(mine[0], BatchOpened) and isinstance(mine[-1], BatchPublished)
        assert sorted(mine[0].files) == sorted(batch["files"])
        for name, stats in batch["files"].items():
            [event] = [e for e in mine if getattr(e, "file", None) == name]
            if stats["outcome"] == "published":
                assert isinstance(event, FilePublished) and event.records == stats["records"]
                published[(batch_id, name)] = event.records
            elif stats["outcome"] == "schema_drift":
                assert isinstance(event, FileQuarantined) and event.code == "schema_drift"
            else:
                assert isinstance(event, FileSkipped), (name, stats, event)
                assert f"{event.first_batch_id}/{name}" == stats["duplicate_of"]
        assert mine[-1].records == sum(published.get((batch_id, n), 0) for n in batch["files"])
    return published


def _check_raw_headers(raw: list) -> None:
    for rec in raw:
        h = rec.headers
        entity = h["shopflow.entity"]
        assert rec.topic.endswith(f".raw.{entity}")
        assert h["shopflow.contract_version"] == str(latest_version(entity))
        assert h["shopflow.format"] == h["shopflow.source_file"].rsplit(".", 1)[1]
        assert len(h["shopflow.file_sha256"]) == 64


def _check_outputs(settings: Settings, truth: dict, defects: dict, raw: list, outputs: list,
                   published: dict[tuple[str, str], int]) -> None:
    raw_ids = Counter(r.identity() for r in raw)
    assert all(n == 1 for n in raw_ids.values())
    out_ids = Counter(r.identity() for r in outputs)
    assert set(out_ids) == set(raw_ids)  # nothing lost, nothing invented
    valid = {r.identity() for r in outputs if ".valid." in r.topic}
    dead = {r.identity(): r for r in outputs if ".dlq." in r.topic}
    assert not valid & set(dead)
    assert set(dead) == set(defects) & set(raw_ids)
    for identity, rec in dead.items():
        assert defects[identity] in rec.headers["shopflow.errors.codes"].split(","), identity
        assert rec.topic == dlq_topic(settings, rec.headers["shopflow.entity"])
    for (batch_id, name), count in published.items():
        stats = truth["batches"][batch_id]["files"][name]
        n_valid = sum(1 for v in valid if v[:2] == (batch_id, name))
        n_dead = sum(1 for d in dead if d[:2] == (batch_id, name))
        assert count == n_valid + n_dead == stats["records"]
        assert n_dead == sum(stats["dead_letters"].values())
    assert topic_size(settings, [valid_topic(settings, "orders")]) > 0
