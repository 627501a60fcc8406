"""The landing area: which batch directories are ready, and where finished ones go.

`<landing>/<batch_id>/` is ready once `_SUCCESS` is in it. Names starting with a
dot are ours (`.processed/`, `.incoming-*` copies in progress) and are skipped.
A symlinked or unsafely named batch directory is moved to `<quarantine>/_rejected/`
without ever being followed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
from datetime import date
from pathlib import Path

from contracts import ErrorCode
from shopflow.ingest.checks import UnsafeFile, open_regular
from shopflow.ingest.names import READY_MARKER, is_safe_name
from shopflow.ingest.quarantine import move_aside, reject_batch_entry, unique_destination

log = logging.getLogger(__name__)

PROCESSED_DIR = ".processed"
_MANIFEST_MAX_BYTES = 64 * 1024
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _is_ready(batch_dir: Path) -> bool:
    try:
        return stat.S_ISREG((batch_dir / READY_MARKER).lstat().st_mode)
    except FileNotFoundError:
        return False


def ready_batches(landing: Path, quarantine: Path) -> list[Path]:
    """Ready batch directories in name order; unsafe entries are moved aside on the way."""
    ready = []
    with os.scandir(landing) as entries:
        found = sorted(entries, key=lambda e: e.name)
    for entry in found:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            _reject(quarantine, path, "a symbolic link in the landing area is not followed")
        elif not entry.is_dir(follow_symlinks=False):
            continue  # a stray file: not a batch
        elif _is_ready(path):
            if is_safe_name(entry.name):
                ready.append(path)
            else:
                _reject(quarantine, path, f"unsafe batch directory name {entry.name!r}")
    return ready


def _reject(quarantine: Path, path: Path, reason: str) -> None:
    destination = reject_batch_entry(quarantine, path, ErrorCode.UNSAFE_NAME.value, reason)
    log.warning("landing entry rejected",
                extra={"entry": repr(path.name), "moved_to": str(destination), "reason": reason})


class ManifestProblem(ValueError):
    """The `_SUCCESS` manifest says something wrong: the batch is refused, visibly."""


def business_date(batch_dir: Path) -> str | None:
    """The optional `{"business_date": "YYYY-MM-DD"}` manifest inside `_SUCCESS`.

    An empty marker or one that is not a JSON object is only a marker (None). A
    business_date that is present but is not a real calendar date raises ManifestProblem
    (docs/decisions/0054): it would otherwise be stored wrongly or refused later by the
    database. The marker is opened without following links and must be a regular file
    (a FIFO would block the ingestor)."""
    try:
        with open_regular(batch_dir / READY_MARKER) as marker:
            raw = marker.read(_MANIFEST_MAX_BYTES + 1)
    except (OSError, UnsafeFile) as exc:
        raise ManifestProblem(f"{READY_MARKER} cannot be read safely: {exc}") from None
    if len(raw) > _MANIFEST_MAX_BYTES:
        raise ManifestProblem(f"{READY_MARKER} is over {_MANIFEST_MAX_BYTES} bytes")
    try:
        manifest = json.loads(raw or b"{}")
    except ValueError:
        return None  # a marker with other content: not a manifest
    if not isinstance(manifest, dict) or manifest.get("business_date") is None:
        return None
    value = manifest["business_date"]
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ManifestProblem(f"business_date {str(value)[:40]!r} is not YYYY-MM-DD")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ManifestProblem(f"business_date {value!r} is not a calendar date") from None
    return value


def archive(landing: Path, batch_dir: Path) -> Path:
    """Move a fully handled batch out of the way so that it is not scanned again."""
    destination = unique_destination(landing / PROCESSED_DIR, batch_dir.name)
    move_aside(batch_dir, destination)
    return destination
