"""A private PostgreSQL server for tests that must stop the database.

The shared server serves every other test, so outage tests start their own:
initdb into a fresh directory as the `postgres` OS user (PostgreSQL refuses to
run as root), trust auth on 127.0.0.1 and a free port.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

from shopflow.db.connect import with_database

INFRA_SCRIPTS = Path(__file__).resolve().parents[3] / "scripts" / "infra"

OS_USER = "postgres"


def pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise RuntimeError("PostgreSQL server binaries (pg_ctl) not found")
    return Path(pg_ctl).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ThrowawayPostgres:
    def __init__(self) -> None:
        # Not pytest's tmp_path: its parents are private to root, and the server runs
        # as the postgres user.
        self.root = Path(tempfile.mkdtemp(prefix="shopflow-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://shopflow@127.0.0.1:{self.port}/shopflow"

    def _run(self, *args: str) -> None:
        command = [str(pg_bin() / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", OS_USER, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> ThrowawayPostgres:
        if os.geteuid() == 0:
            shutil.chown(self.root, OS_USER)
        self._run("initdb", "-D", str(self.data), "-U", "shopflow", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        self.start()
        with psycopg.connect(with_database(self.url, "postgres"), autocommit=True) as conn:
            conn.execute("CREATE DATABASE shopflow")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c full_page_writes=off")  # the OS never crashes here
        self._run("pg_ctl", "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


class PrimaryWithReplica:
    """A private primary (ThrowawayPostgres) and its streaming replica."""

    def __init__(self, infra_dir: Path) -> None:
        self.primary = ThrowawayPostgres().init()
        self.replica_port = free_port()
        self.env = {**os.environ, "SHOPFLOW_INFRA_DIR": str(infra_dir),
                    "SHOPFLOW_PG_PORT": str(self.primary.port),
                    "SHOPFLOW_PG_REPLICA_PORT": str(self.replica_port)}

    @property
    def replica_url(self) -> str:
        return f"postgresql://shopflow@127.0.0.1:{self.replica_port}/shopflow"

    def start_replica(self) -> None:
        run_script("postgres-replica.sh", "up", env=self.env)

    def replay_lag_bytes(self) -> int:
        out = run_script("postgres-replica.sh", "lag", env=self.env)
        return int(out.split(" ", 1)[0])

    def destroy(self) -> None:
        try:
            run_script("postgres-replica.sh", "purge", env=self.env, timeout=120)
        finally:
            self.primary.destroy()


def run_script(script: str, *args: str, env: dict[str, str], timeout: float = 300) -> str:
    """scripts/infra/<script> with this environment; its stdout, or an error with its output."""
    done = subprocess.run([str(INFRA_SCRIPTS / script), *args], env=env, capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"{script} {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()
