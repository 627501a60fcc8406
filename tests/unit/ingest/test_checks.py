"""File-level checks on real files: what gets a file quarantined, and the content hash."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from contracts import ErrorCode
from shopflow.ingest.checks import CheckedFile, check_file
from shopflow.ingest.names import NameProblem

ORDERS_HEADER = b"order_id,customer_id,order_ts,status,currency\n"
ROW = b"o1,c1,2026-01-01T10:00:00Z,paid,EUR\n"


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    batch = tmp_path / "landing" / "batch-1"
    batch.mkdir(parents=True)
    return tmp_path / "landing"


def check(landing: Path, name: str, max_file_bytes: int = 10_000) -> CheckedFile | NameProblem:
    return check_file(landing / "batch-1" / name, landing, max_file_bytes, 1000)


def problem_code(result: CheckedFile | NameProblem) -> ErrorCode:
    assert isinstance(result, NameProblem), result
    return result.code


def test_a_good_file_is_hashed(landing: Path) -> None:
    (landing / "batch-1" / "orders.csv").write_bytes(ORDERS_HEADER + ROW)
    result = check(landing, "orders.csv")
    assert isinstance(result, CheckedFile)
    assert result.sha256 == hashlib.sha256(ORDERS_HEADER + ROW).hexdigest()


def test_schema_drift(landing: Path) -> None:
    (landing / "batch-1" / "orders.csv").write_bytes(b"order_id,customer,order_ts\n" + ROW)
    result = check(landing, "orders.csv")
    assert problem_code(result) is ErrorCode.SCHEMA_DRIFT
    assert isinstance(result, NameProblem) and "customer" in result.reason


def test_unknown_entity_and_not_utf8_and_too_large(landing: Path) -> None:
    batch = landing / "batch-1"
    (batch / "payments.csv").write_bytes(b"id\n1\n")
    (batch / "orders.csv").write_bytes((ORDERS_HEADER + ROW).decode().encode("utf-16"))
    (batch / "reviews.jsonl").write_bytes(b'{"review_id": "r1"}\n' * 100)
    assert problem_code(check(landing, "payments.csv")) is ErrorCode.UNKNOWN_ENTITY
    assert problem_code(check(landing, "orders.csv")) is ErrorCode.NOT_UTF8
    assert problem_code(check(landing, "reviews.jsonl", max_file_bytes=500)) is \
        ErrorCode.TOO_LARGE


def test_symlinks_are_never_followed(landing: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_bytes(ORDERS_HEADER + ROW)
    os.symlink(secret, landing / "batch-1" / "orders.csv")
    result = check(landing, "orders.csv")
    assert problem_code(result) is ErrorCode.UNSAFE_NAME
    assert isinstance(result, NameProblem) and "symbolic link" in result.reason


def test_unsafe_names_and_directories(landing: Path) -> None:
    (landing / "batch-1" / "..evil.csv").write_bytes(ORDERS_HEADER)
    (landing / "batch-1" / "orders.csv").mkdir()
    assert problem_code(check(landing, "..evil.csv")) is ErrorCode.UNSAFE_NAME
    assert problem_code(check(landing, "orders.csv")) is ErrorCode.UNSAFE_NAME


def test_a_file_with_more_lines_than_an_identity_can_number_is_refused(
        landing: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from shopflow.ingest import checks
    monkeypatch.setattr(checks, "MAX_LINE", 3)  # the real limit, 2^31-1, needs 2 GiB
    (landing / "batch-1" / "orders.csv").write_bytes(ORDERS_HEADER + ROW * 3)
    result = check(landing, "orders.csv")
    assert problem_code(result) is ErrorCode.TOO_LARGE
    assert isinstance(result, NameProblem) and "lines" in result.reason
    (landing / "batch-1" / "orders.csv").write_bytes(ORDERS_HEADER + ROW)
    assert isinstance(check(landing, "orders.csv"), CheckedFile)
