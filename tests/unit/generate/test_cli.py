"""`shopflow generate` as a typer command."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from shopflow.cli.generate import generate_command


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("generate")(generate_command)
    app.command("other")(lambda: None)  # more than one command keeps the sub-command name
    return app


def test_flags_reach_the_generator(tmp_path: Path) -> None:
    out = tmp_path / "sample"
    result = CliRunner().invoke(_app(), [
        "generate", "--days", "2", "--start", "2026-02-27", "--orders-per-day", "15",
        "--seed", "9", "--defect-rate", "0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote 2 batches" in result.output
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth["arguments"] == {"days": 2, "start": "2026-02-27", "orders_per_day": 15,
                                  "seed": 9, "defect_rate": 0.0}
    assert sorted(truth["batches"]) == ["batch-2026-02-27", "batch-2026-02-28"]


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["generate", "--days", "1", "--orders-per-day", "5",
                                         "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 0
    assert result.output == ""


def test_bad_arguments_are_usage_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    for arguments in (["--start", "2026-02-30"], ["--days", "0"], ["--defect-rate", "2"]):
        result = runner.invoke(_app(), ["generate", "--out", str(tmp_path), *arguments])
        assert result.exit_code == 2, arguments
    (tmp_path / "notes.txt").write_text("mine")
    result = runner.invoke(_app(), ["generate", "--days", "1", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "notes.txt" in result.output
