"""Moving rejected files (and unsafe batch directories) out of the landing area.

`<quarantine>/<batch_id>/<file>` plus `<file>.reason.json` saying code, reason and
time. Moves never follow symlinks: a link is moved as a link.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from shopflow.events import utcnow
from shopflow.ingest.names import display_name

REJECTED_DIR = "_rejected"  # unsafe batch directories: no usable batch id


def unique_destination(directory: Path, name: str) -> Path:
    """`directory/name`, or `name.1`, `name.2`... when it is taken (a batch sent again)."""
    candidate, n = directory / name, 0
    while candidate.exists() or candidate.is_symlink():
        n += 1
        candidate = directory / f"{name}.{n}"
    return candidate


def move_aside(source: Path, destination: Path) -> None:
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, destination)
    except OSError:
        shutil.move(os.fspath(source), os.fspath(destination))  # another filesystem


def write_reason(destination: Path, code: str, reason: str, **extra: object) -> Path:
    reason_path = destination.with_name(destination.name + ".reason.json")
    body = {"code": code, "reason": reason, "time": utcnow().isoformat(), **extra}
    tmp = reason_path.with_name(f".{reason_path.name}.tmp")
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, reason_path)
    return reason_path


def quarantine_file(quarantine_dir: Path, batch_id: str, source: Path, code: str,
                    reason: str) -> Path:
    """Move one file of a batch to quarantine with its reason file; returns where it went."""
    destination = unique_destination(quarantine_dir / batch_id, display_name(source.name))
    move_aside(source, destination)
    write_reason(destination, code, reason, batch_id=batch_id,
                 original_name=repr(source.name))
    return destination


def reject_batch_entry(quarantine_dir: Path, source: Path, code: str, reason: str) -> Path:
    """Move an unacceptable top-level landing entry (symlink, unsafe name) aside."""
    destination = unique_destination(quarantine_dir / REJECTED_DIR, display_name(source.name))
    move_aside(source, destination)
    write_reason(destination, code, reason, original_name=repr(source.name))
    return destination
