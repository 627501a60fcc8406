"""Same arguments, same bytes; the output directory is managed safely."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from shopflow.generate import GenerationConfig, generate


def _hashes(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def _small(out: Path, seed: int = 3) -> GenerationConfig:
    return GenerationConfig(days=5, orders_per_day=40, seed=seed, defect_rate=0.05, out=out)


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    generate(_small(tmp_path / "a"))
    generate(_small(tmp_path / "b"))
    first, second = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert len(first) > 30
    assert first == second


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    generate(_small(tmp_path / "a", seed=3))
    generate(_small(tmp_path / "b", seed=4))
    first, second = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert first["batch-2026-01-01/orders.csv"] != second["batch-2026-01-01/orders.csv"]


def test_defect_rate_does_not_change_the_underlying_data(tmp_path: Path) -> None:
    clean = GenerationConfig(days=5, orders_per_day=40, seed=3, defect_rate=0.0,
                             out=tmp_path / "clean")
    generate(clean)
    generate(_small(tmp_path / "dirty"))
    first_day = "batch-2026-01-01"
    for name in ("products.csv", "customers.csv"):  # first versions are never defective
        assert (tmp_path / "clean" / first_day / name).read_bytes() == (
            tmp_path / "dirty" / first_day / name).read_bytes()
    clean_orders = (tmp_path / "clean" / first_day / "orders.csv").read_text().splitlines()
    dirty_orders = (tmp_path / "dirty" / first_day / "orders.csv").read_text().splitlines()
    assert clean_orders[1].split(",")[:3] == dirty_orders[1].split(",")[:3]


def test_a_rerun_replaces_an_earlier_run(tmp_path: Path) -> None:
    generate(GenerationConfig(days=4, orders_per_day=20, out=tmp_path))
    generate(GenerationConfig(days=2, orders_per_day=20, out=tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == [
        "batch-2026-01-01", "batch-2026-01-02"]


def test_refuses_a_directory_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(FileExistsError):
        generate(GenerationConfig(days=1, orders_per_day=5, out=tmp_path))
    assert (tmp_path / "precious.txt").read_text() == "keep me"


def test_rejects_nonsense_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        GenerationConfig(days=0, out=tmp_path)
    with pytest.raises(ValueError):
        GenerationConfig(orders_per_day=0, out=tmp_path)
    for rate in (-0.1, 0.9):
        with pytest.raises(ValueError):
            GenerationConfig(defect_rate=rate, out=tmp_path)
