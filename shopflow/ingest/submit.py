"""`shopflow ingest DIR`: place ready batch directories into the landing area atomically.

Each batch is copied to a hidden temporary directory inside the landing area
(the ingestor skips dot-names), `_SUCCESS` is copied last, and the directory is
renamed to its batch id in one step, so the ingestor never sees half a batch.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

from shopflow.ingest.names import READY_MARKER, is_safe_name


class SubmitError(Exception):
    pass


def ready_dirs(source: Path) -> list[Path]:
    """`source` itself when it is a ready batch, else its ready batch subdirectories."""
    if (source / READY_MARKER).is_file():
        return [source]
    found = sorted(p for p in source.iterdir()
                   if p.is_dir() and not p.is_symlink() and (p / READY_MARKER).is_file())
    if not found:
        raise SubmitError(f"{source} holds no ready batch (a directory with {READY_MARKER})")
    return found


def submit(source: Path, landing: Path) -> list[str]:
    """Copy every ready batch under `source` into `landing`; returns the batch ids."""
    batches = ready_dirs(source)
    for batch in batches:
        if not is_safe_name(batch.name):
            raise SubmitError(f"unsafe batch directory name {batch.name!r}")
        if (landing / batch.name).exists():
            raise SubmitError(f"batch {batch.name} is already waiting in {landing}")
    landing.mkdir(parents=True, exist_ok=True)
    return [copy_batch(batch, landing) for batch in batches]


def copy_batch(batch: Path, landing: Path) -> str:
    tmp = landing / f".incoming-{batch.name}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for entry in sorted(batch.iterdir()):
            if entry.name != READY_MARKER and (entry.is_symlink() or entry.is_file()):
                # Links are copied as links: the ingestor rejects them without following.
                shutil.copy2(entry, tmp / entry.name, follow_symlinks=False)
        shutil.copy2(batch / READY_MARKER, tmp / READY_MARKER)
        os.rename(tmp, landing / batch.name)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return batch.name
