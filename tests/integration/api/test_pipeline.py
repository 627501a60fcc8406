"""Pipeline endpoints over the ops ledger: batches, dead letters, quality."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.conftest import API_KEY
from tests.integration.api.paging import walk
from tests.integration.api.warehouse import LoadedWarehouse

pytestmark = pytest.mark.integration
KEY = {"X-API-Key": API_KEY}  # dead letters need deadletters:read (the configured key)


def _expected_letters(warehouse: LoadedWarehouse) -> list[dict]:
    lines = (warehouse.run.out / "truth_defects.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["outcome"] == "dead_letter"]


def test_batches_page_newest_first_with_counts(client: TestClient,
                                               warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    items = walk(client, "/api/v1/batches", {}, limit=6)
    assert [b["batch_id"] for b in items] == sorted(truth["batches"], reverse=True)
    for batch in items:
        files = truth["batches"][batch["batch_id"]]["files"]
        published = [f for f in files.values() if f["outcome"] == "published"]
        rejected = sum(sum(f["dead_letters"].values()) for f in published)
        counts = batch["counts"]
        assert counts["published"] == sum(f["records"] for f in published)
        assert (counts["rejected"], counts["open_dead_letters"]) == (rejected, rejected)
        assert counts["loaded"] == counts["published"] - rejected
        stages = {s["name"]: s["status"] for s in batch["stages"]}
        assert stages["ingest"] == stages["validate"] == stages["load"] == "done"
    newest = items[0]
    assert {s["name"]: s["status"] for s in newest["stages"]}["build"] == "done"
    assert newest["latest_build"]["status"] == "succeeded"


def test_one_batch_lists_its_files_and_dead_letter_codes(client: TestClient,
                                                        warehouse: LoadedWarehouse) -> None:
    truth = warehouse.run.truth
    faulty = truth["file_faults"][0]
    detail = client.get(f"/api/v1/batches/{faulty['batch_id']}").json()
    files = {f["file_name"]: f for f in detail["files"]}
    assert set(files) == set(truth["batches"][faulty["batch_id"]]["files"])
    assert files[faulty["file"]]["status"] in ("quarantined", "skipped")
    expected: Counter[str] = Counter()
    for stats in truth["batches"][faulty["batch_id"]]["files"].values():
        expected.update(stats["dead_letters"])
    assert detail["dead_letters_by_code"] == dict(expected)
    missing = client.get("/api/v1/batches/batch-1999-01-01")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_dead_letter_pages_hold_every_letter_once_with_payload(
        client: TestClient, warehouse: LoadedWarehouse) -> None:
    expected = {(e["batch_id"], e["file"], e["line"]) for e in _expected_letters(warehouse)}
    items = walk(client, "/api/v1/dead-letters", {}, limit=97, headers=KEY)
    got = [(i["batch_id"], i["source_file"], i["line_number"]) for i in items]
    assert len(got) == len(set(got)) and set(got) == expected
    for item in items:
        assert item["errors"] and item["codes"] and item["payload"]
        if item["codes"] != ["unparseable"]:
            assert isinstance(item["payload_json"], dict), item


def test_dead_letters_filter_by_entity_code_and_batch(client: TestClient,
                                                      warehouse: LoadedWarehouse) -> None:
    letters = _expected_letters(warehouse)
    by_code = Counter(e["code"] for e in letters)
    code, count = by_code.most_common(1)[0]
    got = walk(client, "/api/v1/dead-letters", {"error_code": code}, limit=40, headers=KEY)
    assert len(got) == count and all(code in i["codes"] for i in got)
    entity = letters[0]["entity"]
    batch = letters[0]["batch_id"]
    chosen = walk(client, "/api/v1/dead-letters", {"entity": entity, "batch_id": batch}, 10,
                  headers=KEY)
    assert len(chosen) == sum(e["entity"] == entity and e["batch_id"] == batch for e in letters)
    summary = client.get("/api/v1/dead-letters/summary").json()
    assert summary["open_letters"] == len(letters)
    per_code: Counter[str] = Counter()
    for row in summary["by_code"]:
        per_code[row["code"]] += row["letters"]
    assert per_code == by_code


def test_quality_shows_the_latest_builds_checks(client: TestClient) -> None:
    quality = client.get("/api/v1/quality").json()
    statuses = [c["status"] for c in quality["checks"]]
    assert quality["counts"] == {s: statuses.count(s) for s in ("pass", "warn", "fail")}
    assert quality["counts"]["fail"] == 0 and quality["status"] in ("pass", "warn")
    assert quality["status"] == ("warn" if "warn" in statuses else "pass")
    assert quality["build"]["status"] == "succeeded"
    names = {c["check_name"] for c in quality["checks"]}
    assert {"null_keys", "orphan_keys", "freshness", "reconcile_orders"} <= names
    info = client.get("/api/v1/warehouse").json()
    assert info["latest_build"]["build_id"] == quality["build"]["build_id"]
