"""The committed JSON Schemas are current and every new version is BACKWARD compatible."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from contracts import ENTITIES
from contracts.compat import backward_compatibility_problems
from contracts.export import SCHEMA_DIR, main, schema_path, stale_files, write_all
from contracts.registry import CONTRACTS, versions


def test_committed_export_is_current() -> None:
    stale = stale_files()
    assert not stale, f"run `python -m contracts.export`; stale: {[str(p) for p in stale]}"


def test_check_mode_passes_on_the_committed_tree() -> None:
    assert main(["--check"]) == 0


def test_missing_or_edited_files_are_stale(tmp_path: Any) -> None:
    assert len(stale_files(tmp_path)) == len(CONTRACTS)
    write_all(tmp_path)
    edited = schema_path("orders", 1, tmp_path)
    edited.write_text(edited.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert stale_files(tmp_path) == [edited]


def test_export_is_deterministic(tmp_path: Any) -> None:
    write_all(tmp_path)
    assert stale_files(tmp_path) == []
    for entity in ENTITIES:
        written = schema_path(entity, 1, tmp_path).read_text(encoding="utf-8")
        assert written == schema_path(entity, 1, SCHEMA_DIR).read_text(encoding="utf-8")
        document = json.loads(written)
        assert document["x-shopflow-entity"] == entity
        assert document["x-shopflow-version"] == 1
        assert written.endswith("}\n")


@pytest.mark.parametrize("entity", ENTITIES)
def test_each_version_is_compatible_with_the_previous_one(entity: str) -> None:
    known = versions(entity)
    for old, new in itertools.pairwise(known):
        problems = backward_compatibility_problems(_load(entity, old), _load(entity, new))
        assert problems == [], f"{entity} v{new} breaks BACKWARD compatibility: {problems}"
    latest = _load(entity, known[-1])
    assert backward_compatibility_problems(latest, latest) == []


def _load(entity: str, version: int) -> dict[str, Any]:
    return json.loads(schema_path(entity, version).read_text(encoding="utf-8"))


def _orders_v1() -> dict[str, Any]:
    return copy.deepcopy(_load("orders", 1))


def test_adding_an_optional_field_is_compatible() -> None:
    new = _orders_v1()
    new["properties"]["gift_note"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    assert backward_compatibility_problems(_orders_v1(), new) == []


def test_removing_an_optional_field_is_compatible() -> None:
    new = _orders_v1()
    del new["properties"]["payment_method"]
    assert backward_compatibility_problems(_orders_v1(), new) == []


def test_making_a_required_field_optional_is_compatible() -> None:
    new = _orders_v1()
    new["required"].remove("status")
    status = new["properties"]["status"]
    new["properties"]["status"] = {"anyOf": [status, {"type": "null"}], "default": None}
    assert backward_compatibility_problems(_orders_v1(), new) == []


def test_widening_an_enum_is_compatible() -> None:
    new = _orders_v1()
    new["properties"]["status"]["enum"].append("refunded")
    new["properties"]["channel"]["anyOf"][0]["enum"].append("phone")
    assert backward_compatibility_problems(_orders_v1(), new) == []


def _single_problem(new: dict[str, Any], *words: str) -> None:
    problems = backward_compatibility_problems(_orders_v1(), new)
    assert len(problems) == 1, problems
    assert all(word in problems[0] for word in words), problems


def test_adding_a_required_field_is_incompatible() -> None:
    new = _orders_v1()
    new["properties"]["warehouse_id"] = {"type": "string"}
    new["required"].append("warehouse_id")
    _single_problem(new, "warehouse_id", "required")


def test_removing_a_required_field_is_incompatible() -> None:
    new = _orders_v1()
    del new["properties"]["currency"]
    new["required"].remove("currency")
    _single_problem(new, "currency", "removed")


def test_making_an_optional_field_required_is_incompatible() -> None:
    new = _orders_v1()
    new["required"].append("payment_method")
    _single_problem(new, "payment_method", "now required")


def test_retyping_a_field_is_incompatible() -> None:
    new = _orders_v1()
    new["properties"]["order_ts"] = {"type": "integer"}
    _single_problem(new, "order_ts", "changed type")


def test_narrowing_an_enum_is_incompatible() -> None:
    new = _orders_v1()
    new["properties"]["status"]["enum"].remove("returned")
    _single_problem(new, "status", "narrowed", "returned")


def test_narrowing_an_optional_enum_is_incompatible() -> None:
    new = _orders_v1()
    new["properties"]["channel"]["anyOf"][0]["enum"].remove("store")
    _single_problem(new, "channel", "narrowed", "store")


def test_no_longer_accepting_null_is_incompatible() -> None:
    new = _orders_v1()
    new["properties"]["channel"] = new["properties"]["channel"]["anyOf"][0]
    _single_problem(new, "channel", "null")


def test_references_are_followed() -> None:
    old, new = _orders_v1(), _orders_v1()
    for document, values in ((old, ["a", "b"]), (new, ["a"])):
        document["$defs"] = {"Kind": {"enum": values, "type": "string"}}
        document["properties"]["kind"] = {"anyOf": [{"$ref": "#/$defs/Kind"}, {"type": "null"}]}
    problems = backward_compatibility_problems(old, new)
    assert problems and "kind" in problems[0] and "'b'" in problems[0]


# The v1 exports as they were before decision 0051 made them say every rule. The
# validator's verdicts did not change, so the only differences the BACKWARD checker may
# find are the rules the old export left unsaid: timestamps are ShopFlow's ISO 8601
# format (not RFC 3339 date-time), and country/currency codes are the ISO lists.
_BEFORE_0051 = Path(__file__).parent / "schemas_before_0051"
_STATED_SINCE_0051 = {
    "clickstream": {("event_ts", "changed type")},
    "customers": {("country", "now restricted"), ("updated_at", "changed type")},
    "orders": {("currency", "now restricted"), ("order_ts", "changed type"),
               ("updated_at", "changed type")},
    "products": {("updated_at", "changed type")},
    "reviews": {("review_ts", "changed type")},
}


@pytest.mark.parametrize("entity", ENTITIES)
def test_v1_changed_since_the_previous_export_only_where_0051_says(entity: str) -> None:
    old = json.loads((_BEFORE_0051 / entity / "v1.json").read_text(encoding="utf-8"))
    problems = backward_compatibility_problems(old, _load(entity, 1))
    expected = _STATED_SINCE_0051.get(entity, set())
    found = {(field, kind) for field, kind in expected
             for problem in problems if f"'{field}'" in problem and kind in problem}
    assert found == expected, problems
    assert len(problems) == len(expected), problems
    # ...and the checker still sees a real break against the previous export.
    broken = _load(entity, 1)
    required = broken["required"][0]
    del broken["properties"][required]
    broken["required"].remove(required)
    assert any("removed" in p for p in backward_compatibility_problems(old, broken))
