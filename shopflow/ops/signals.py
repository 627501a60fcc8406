"""What the ledger says right now, read at scrape time: builds, quality, files, letters.

Every query reads only ops.* tables the API role may read, and is cheap (counts over
small ledgers, or the newest rows through an index).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import psycopg

# Files quarantined this recently keep the FileQuarantined alert firing (then it resolves).
QUARANTINE_WINDOW = "24 hours"

_BUILDS_BY_STATUS = "SELECT status, count(*) FROM ops.builds GROUP BY status"
_LATEST_FINISHED_BUILD = """
SELECT build_id, status, finished_at FROM ops.builds
WHERE status <> 'running' ORDER BY build_id DESC LIMIT 1
"""
_LAST_SUCCESS = "SELECT max(finished_at) FROM ops.builds WHERE status = 'succeeded'"
# Batches whose build the transformer gave up (services/transformer/app.py) and that no
# later build of theirs has replaced: later batches' builds succeed, so the newest build
# alone would not show them.
_GIVEN_UP = """
SELECT count(DISTINCT f.batch_id) FROM ops.builds f
WHERE f.status = 'failed' AND f.error LIKE 'gave up after %'
  AND NOT EXISTS (SELECT 1 FROM ops.builds s WHERE s.batch_id = f.batch_id
                  AND s.build_id > f.build_id AND s.status IN ('succeeded', 'failed_quality'))
"""
# The checks of the newest build that ran checks, and of the newest monitor run.
_BUILD_CHECKS = """
SELECT check_name, status FROM ops.quality_checks
WHERE build_id = (SELECT max(build_id) FROM ops.quality_checks)
"""
_MONITOR_CHECKS = """
SELECT check_name, status FROM ops.monitor_checks
WHERE run_id = (SELECT max(run_id) FROM ops.monitor_checks)
"""
_QUARANTINED = f"""
SELECT coalesce(entity, 'unknown'), count(*),
       count(*) FILTER (WHERE updated_at > now() - interval '{QUARANTINE_WINDOW}')
FROM ops.batch_files WHERE status = 'quarantined' GROUP BY 1
"""
_DEAD_LETTERS = """
SELECT entity, count(*), count(*) FILTER (WHERE resolved_at IS NULL)
FROM ops.dead_letters GROUP BY entity
"""

STATUS_VALUE = {"pass": 0, "warn": 1, "fail": 2}


@dataclass
class Signals:
    builds_by_status: dict[str, int] = field(default_factory=dict)
    latest_build_status: str | None = None
    latest_build_id: int | None = None
    last_success_at: datetime | None = None
    batches_given_up: int = 0
    checks: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, name)
    quarantined: dict[str, tuple[int, int]] = field(default_factory=dict)  # total, recent
    dead_letters: dict[str, tuple[int, int]] = field(default_factory=dict)  # total, open


def read_signals(conn: psycopg.Connection) -> Signals:
    signals = Signals()
    signals.builds_by_status = dict(conn.execute(_BUILDS_BY_STATUS).fetchall())
    latest = conn.execute(_LATEST_FINISHED_BUILD).fetchone()
    if latest is not None:
        signals.latest_build_id, signals.latest_build_status = latest[0], latest[1]
    signals.last_success_at = conn.execute(_LAST_SUCCESS).fetchone()[0]  # type: ignore[index]
    signals.batches_given_up = conn.execute(_GIVEN_UP).fetchone()[0]  # type: ignore[index]
    for source, query in (("build", _BUILD_CHECKS), ("monitor", _MONITOR_CHECKS)):
        for name, status in conn.execute(query).fetchall():
            signals.checks[(source, name)] = status
    signals.quarantined = {e: (t, r) for e, t, r in conn.execute(_QUARANTINED).fetchall()}
    signals.dead_letters = {e: (t, o) for e, t, o in conn.execute(_DEAD_LETTERS).fetchall()}
    return signals
