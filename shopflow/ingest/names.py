"""Which names in the landing area are acceptable, and what a data file's name says.

Names come from whoever drops files into the landing directory, so they are
checked against a strict pattern before they are used in any path: no leading
dot, no separators, no control characters, bounded length.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from contracts import ENTITIES, ErrorCode

READY_MARKER = "_SUCCESS"
FORMATS = ("csv", "jsonl")

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
_MAX_NAME = 128
_DATA_FILE = re.compile(r"(?P<entity>[a-z][a-z0-9_]*)\.(?P<format>csv|jsonl)")


def is_safe_name(name: str) -> bool:
    """A single path component made of letters, digits, '_', '-' and inner single dots."""
    return len(name) <= _MAX_NAME and _SAFE_NAME.fullmatch(name) is not None


def display_name(name: str) -> str:
    """A name that is safe to log, put in events and use under the quarantine directory."""
    if is_safe_name(name):
        return name
    cleaned = re.sub(r"[^A-Za-z0-9_.-]", "_", name).strip(".")[:64] or "unnamed"
    cleaned = re.sub(r"\.{2,}", ".", cleaned)
    digest = hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    return f"unsafe-{cleaned}-{digest}"


@dataclass(frozen=True)
class DataFile:
    """What a data file's name means: its entity and format."""

    name: str
    entity: str
    format: str


@dataclass(frozen=True)
class NameProblem:
    code: ErrorCode
    reason: str
    entity: str | None = None


def classify(name: str) -> DataFile | NameProblem:
    """`<entity>.csv|jsonl` with a known entity, or why the name is rejected."""
    if not is_safe_name(name):
        return NameProblem(ErrorCode.UNSAFE_NAME, f"unsafe file name {name!r}")
    match = _DATA_FILE.fullmatch(name)
    if match is None:
        return NameProblem(ErrorCode.UNKNOWN_ENTITY,
                           f"{name!r} is not named <entity>.csv or <entity>.jsonl")
    entity = match["entity"]
    if entity not in ENTITIES:
        return NameProblem(ErrorCode.UNKNOWN_ENTITY,
                           f"unknown entity {entity!r}; known: {', '.join(ENTITIES)}")
    return DataFile(name=name, entity=entity, format=match["format"])
