"""File-level checks before anything is published: name, type, size, header, content hash.

A failed check rejects the whole file (it is quarantined). Files are opened with
O_NOFOLLOW and checked to be regular files with one link, so neither a symlink nor a
hard link to a file outside the landing area is ever read. With a snapshot directory,
the file is copied there while it is hashed, and what is checked and published is that
private copy: exactly the bytes that were hashed, even if the original changes.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from contracts import ErrorCode, header_problem
from contracts.chunk import MAX_LINE
from shopflow.ingest.csvfile import CsvFile
from shopflow.ingest.names import DataFile, NameProblem, classify
from shopflow.ingest.readers import FileFormatError, first_line

_CHUNK = 1 << 20


class UnsafeFile(Exception):
    pass


@dataclass(frozen=True)
class CheckedFile:
    data_file: DataFile
    path: Path
    sha256: str
    size: int


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading without following a symlink at its last component."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise UnsafeFile(f"cannot open without following links: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UnsafeFile("not a regular file")
    return os.fdopen(fd, "rb", buffering=_CHUNK)


def is_inside(path: Path, root: Path) -> bool:
    return path.resolve().is_relative_to(root.resolve())


def check_file(path: Path, landing: Path, max_file_bytes: int, max_line_bytes: int,
               snapshot_dir: Path | None = None) -> CheckedFile | NameProblem:
    """The file ready to publish (with its hash), or why it is rejected. With a snapshot
    directory, CheckedFile.path is a private copy the caller deletes (discard_snapshot)."""
    named = classify(path.name)
    if isinstance(named, NameProblem):
        return named
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        return NameProblem(ErrorCode.UNSAFE_NAME, "symbolic links are not accepted", named.entity)
    if not stat.S_ISREG(info.st_mode) or not is_inside(path, landing):
        return NameProblem(ErrorCode.UNSAFE_NAME, "not a regular file inside the landing area",
                           named.entity)
    if info.st_nlink > 1:
        return NameProblem(ErrorCode.UNSAFE_NAME, "hard links are not accepted (the file has "
                           f"{info.st_nlink} names; copy it into the landing area)", named.entity)
    if info.st_size > max_file_bytes:
        return _too_large(named, info.st_size, max_file_bytes)
    try:
        source, digest, size, lines = _hash_or_copy(path, snapshot_dir, max_file_bytes)
    except UnsafeFile as exc:
        return NameProblem(ErrorCode.UNSAFE_NAME, str(exc), named.entity)
    problem = _too_large(named, size, max_file_bytes) if size > max_file_bytes else None
    if lines > MAX_LINE:  # a record's identity needs its line number to fit an integer
        problem = NameProblem(ErrorCode.TOO_LARGE, f"{lines} lines is over the limit of "
                              f"{MAX_LINE} lines", named.entity)
    if problem is None:
        with open_regular(source) as stream:
            problem = _content_problem(stream, named, max_line_bytes)
    if problem is not None:
        discard_snapshot(source, path)
        return problem
    return CheckedFile(named, source, digest, size)


def discard_snapshot(source: Path, original: Path) -> None:
    if source != original:
        source.unlink(missing_ok=True)


def _hash_or_copy(path: Path, snapshot_dir: Path | None,
                  max_bytes: int) -> tuple[Path, str, int, int]:
    """(what to read from now on, its SHA-256, its size, its physical lines)."""
    with open_regular(path) as stream:
        if snapshot_dir is None:
            return (path, *_sha256(stream, max_bytes))
        snapshot_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=snapshot_dir, prefix="snapshot-")
        with os.fdopen(fd, "wb") as copy:
            digest, size, lines = _sha256(stream, max_bytes, copy)
        return Path(name), digest, size, lines


def _too_large(named: DataFile, size: int, limit: int) -> NameProblem:
    return NameProblem(ErrorCode.TOO_LARGE,
                       f"{size} bytes is over the limit of {limit} bytes", named.entity)


def _content_problem(stream: BinaryIO, named: DataFile,
                     max_line_bytes: int) -> NameProblem | None:
    try:
        if named.format == "jsonl":
            first_line(stream, max_line_bytes)
            return None
        header = CsvFile(stream, max_line_bytes).header
    except FileFormatError as exc:
        return NameProblem(ErrorCode(exc.code), exc.reason, named.entity)
    drift = header_problem(named.entity, header)
    if drift is not None:
        return NameProblem(ErrorCode.SCHEMA_DRIFT, drift, named.entity)
    return None


def _sha256(stream: BinaryIO, max_bytes: int,
            copy: BinaryIO | None = None) -> tuple[str, int, int]:
    """Hash (and copy) in chunks; stops once past the limit (the file grew after stat).
    Returns (digest, size, physical lines)."""
    digest, size, lines = hashlib.sha256(), 0, 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        lines += chunk.count(b"\n")
        if copy is not None:
            copy.write(chunk)
        size += len(chunk)
        if size > max_bytes:
            break
    return digest.hexdigest(), size, lines + 1
