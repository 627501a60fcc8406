"""The README's quick start, run line by line exactly as written, then `make demo` again
after `make down`, in a copy of the project on private ports, so it can run beside
other tests without touching the shared Kafka and PostgreSQL.

Long (several minutes: two demos, an ingest and a full rebuild): CI runs it once, as
part of `make test`.
"""

from __future__ import annotations

import os
import random
import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.platform import port_is_free

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(3000)]
STEP_TIMEOUT_S = 1200


def quick_start() -> list[str]:
    """The command lines of the README's quick-start block, comments removed."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    lines = (re.sub(r"\s+#\s.*$", "", line).strip() for line in block.splitlines())
    return [line for line in lines if line]


def free_ports(count: int) -> list[int]:
    """`count` free ports, the last five consecutive (the demo's worker metrics)."""
    rng = random.Random()
    for _ in range(500):
        ports = [rng.randrange(20000, 30000) for _ in range(count - 5)]
        base = rng.randrange(30000, 40000)
        ports += list(range(base, base + 5))
        if len(set(ports)) == count and all(port_is_free(p) for p in ports):
            return ports
    raise RuntimeError("no free ports")


def copy_project(target: Path) -> None:
    """The work tree's files (tracked and new, not ignored), with their mtimes, so `make`
    decides as it would in the original; node_modules is shared (read only)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
        capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / "node_modules").symlink_to(ROOT / "node_modules")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    copy = tmp_path / "shopflow"
    copy_project(copy)
    infra = tmp_path / "infra"
    infra.mkdir()
    # `make install` would re-point the shared editable install at the copy: already done.
    (infra / "install.stamp").write_text(sys.prefix + "\n")
    kafka, controller, pg, api, prometheus, alertmanager, metrics, *_ = free_ports(11)
    # Nothing of the outer run may leak in: not its SHOPFLOW_* settings, nor make's.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SHOPFLOW_") and k not in MAKE_VARIABLES}
    env.update(
        PYTHON=sys.executable, SHOPFLOW_INFRA_DIR=str(infra),
        SHOPFLOW_KAFKA_PORT=str(kafka), SHOPFLOW_KAFKA_CONTROLLER_PORT=str(controller),
        SHOPFLOW_PG_PORT=str(pg), SHOPFLOW_API_PORT=str(api),
        SHOPFLOW_PROMETHEUS_PORT=str(prometheus), SHOPFLOW_ALERTMANAGER_PORT=str(alertmanager),
        SHOPFLOW_DEMO_METRICS_BASE_PORT=str(metrics))
    try:
        yield copy, env
    finally:
        subprocess.run(["make", "clean"], cwd=copy, env=env, capture_output=True,
                       timeout=300, check=False)


# make passes its command-line variables (`make test KAFKA_PORT=...`) to everything below
# it, in MAKEFLAGS and as plain environment variables: the copy's make must not see them.
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "KAFKA_PORT",
                  "KAFKA_CONTROLLER_PORT", "PG_PORT", "INFRA_DIR", "KAFKA_BROKERS",
                  "PG_REPLICA", "PYTEST_ARGS", "BENCH_ARGS", "BENCH_API_ARGS")


def run(line: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(shlex.split(line), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=STEP_TIMEOUT_S, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"`{line}` exited {done.returncode}:\n{output[-6000:]}"
    assert "Traceback" not in output, f"`{line}`:\n{output[-6000:]}"
    return output


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_the_quick_start_as_written_and_make_demo_after_make_down(
        project: tuple[Path, dict[str, str]]) -> None:
    copy, env = project
    lines = quick_start()
    assert lines[0] == "make demo" and lines[-1] == "make down"
    outputs = {line: run(line, copy, env) for line in lines}

    api = env["SHOPFLOW_API_PORT"]
    shows(outputs["make demo"], f"Dashboard: http://localhost:{api}/")
    env_file = (copy / ".env").read_text()
    assert f"SHOPFLOW_LANDING_DIR={copy}/data/demo/landing" in env_file, env_file
    shows(outputs["shopflow batches"], "batch-2026-01-14", "build done")
    ingested = next(out for line, out in outputs.items() if line.startswith("shopflow ingest"))
    shows(ingested, "batch-2026-01-15", "build done", "dead letters")
    assert sorted(p.name for p in (copy / "data/export/fact_orders").iterdir()) == [
        "month=2026-01"]
    assert not listening(int(api))

    again = run("make demo", copy, env)
    shows(again, f"Dashboard: http://localhost:{api}/", "14/14 batches built")
    run("make down", copy, env)
    assert not listening(int(api))


def shows(output: str, *texts: str) -> None:
    missing = [text for text in texts if text not in output]
    assert not missing, f"{missing} not in:\n{output[-6000:]}"
