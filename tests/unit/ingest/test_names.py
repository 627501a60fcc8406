"""Name safety: only plain names reach a path; data files say their entity and format."""

from __future__ import annotations

import pytest

from contracts import ErrorCode
from shopflow.ingest.names import DataFile, NameProblem, classify, display_name, is_safe_name


@pytest.mark.parametrize("name", ["orders.csv", "batch-2026-01-01", "clickstream.jsonl",
                                  "A_b-9.x"])
def test_safe_names(name: str) -> None:
    assert is_safe_name(name)


@pytest.mark.parametrize("name", ["..evil.csv", ".hidden", "..", ".", "a/b.csv", "a\\b.csv",
                                  "orders..csv", "orders.csv.", "with space.csv",
                                  "new\nline.csv", "nul\x00.csv", "x" * 200, "",
                                  "caf\udce9.csv", "ümlaut.csv"])
def test_unsafe_names(name: str) -> None:
    assert not is_safe_name(name)
    assert classify(name) == NameProblem(ErrorCode.UNSAFE_NAME, f"unsafe file name {name!r}")


def test_data_files_name_entity_and_format() -> None:
    assert classify("orders.csv") == DataFile("orders.csv", "orders", "csv")
    assert classify("clickstream.jsonl") == DataFile("clickstream.jsonl", "clickstream", "jsonl")


@pytest.mark.parametrize("name", ["payments.csv", "orders.txt", "orders.csv.bak", "README"])
def test_unknown_entities(name: str) -> None:
    problem = classify(name)
    assert isinstance(problem, NameProblem) and problem.code is ErrorCode.UNKNOWN_ENTITY


@pytest.mark.parametrize("name", ["..evil.csv", "../../etc/passwd", "new\nline", "caf\udce9"])
def test_display_names_of_unsafe_names_are_safe_and_distinct(name: str) -> None:
    shown = display_name(name)
    assert is_safe_name(shown) and shown.startswith("unsafe-")
    assert display_name(name + "x") != shown
