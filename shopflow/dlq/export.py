"""Export files: dead letters as JSON Lines a person can read, fix and replay.

One object per letter: identity, entity, key, errors, attempt, and either
`record` (the original payload parsed as a JSON object) or `raw` (the payload as
text, plus `raw_base64` when it is not valid UTF-8). To fix a letter, edit
`record` (or replace `raw` by a `record` object) and replay the file.

Numbers are read and written exactly (contracts.schema_rules.load_exact, dump_exact):
an export and its replay never round `19.9000000000000001` to 19.9.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from contracts.schema_rules import load_exact
from shopflow.dlq.models import DeadLetter, Identity

MAX_EXPORT_LINE = 16 * 1024 * 1024


class ExportFormatError(ValueError):
    pass


def export_object(letter: DeadLetter) -> dict[str, Any]:
    key = letter.record_key.decode("utf-8", "replace") if letter.record_key else None
    body: dict[str, Any] = {
        "batch_id": letter.identity.batch_id,
        "source_file": letter.identity.source_file,
        "line_number": letter.identity.line_number,
        "entity": letter.entity,
        "key": key,
        "codes": letter.codes,
        "errors": letter.errors,
        "attempt": letter.attempt,
        "first_failed_at": letter.first_failed_at.isoformat(),
        "last_failed_at": letter.last_failed_at.isoformat(),
        "resolved": letter.resolved,
    }
    body.update(payload_fields(letter.payload))
    return body


def payload_fields(payload: bytes | None) -> dict[str, Any]:
    if payload is None:
        return {"raw": None}
    try:
        parsed = load_exact(payload)
        if isinstance(parsed, dict):
            return {"record": parsed}
    except ValueError:
        pass
    try:
        return {"raw": payload.decode("utf-8")}
    except UnicodeDecodeError:
        return {"raw": payload.decode("utf-8", "replace"),
                "raw_base64": base64.b64encode(payload).decode("ascii")}


def dump_exact(value: Any) -> str:
    """JSON text of values read by load_exact: a Decimal is written with its own digits."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dump_exact(v)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump_exact(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def write_export(letters: Iterable[DeadLetter], out: IO[str]) -> int:
    count = 0
    for letter in letters:
        out.write(dump_exact(export_object(letter)) + "\n")
        count += 1
    return count


@dataclass(frozen=True)
class ExportedLetter:
    """One line of an export file as a person left it."""

    identity: Identity
    payload: bytes | None  # what to replay
    record: dict[str, Any] | None  # the edited record, when given as an object


def read_export(path: Path) -> Iterator[ExportedLetter]:
    with open(path, encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if len(line) > MAX_EXPORT_LINE:
                raise ExportFormatError(f"{path}:{number}: line too long")
            if line.strip():
                yield _exported(_parse(line, path, number), path, number)


def _parse(line: str, path: Path, number: int) -> dict[str, Any]:
    try:
        body = load_exact(line)
    except ValueError as exc:
        raise ExportFormatError(f"{path}:{number}: not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ExportFormatError(f"{path}:{number}: expected a JSON object")
    return body


def _exported(body: dict[str, Any], path: Path, number: int) -> ExportedLetter:
    try:
        identity = Identity(str(body["batch_id"]), str(body["source_file"]),
                            int(body["line_number"]))
    except (KeyError, TypeError, ValueError):
        raise ExportFormatError(
            f"{path}:{number}: batch_id, source_file and line_number are required") from None
    record = body.get("record")
    if isinstance(record, dict):
        return ExportedLetter(identity, dump_exact(record).encode(), record)
    if record is not None:
        raise ExportFormatError(f"{path}:{number}: `record` must be a JSON object")
    raw = body.get("raw")
    if body.get("raw_base64"):
        original = base64.b64decode(body["raw_base64"])
        if not isinstance(raw, str) or raw == original.decode("utf-8", "replace"):
            return ExportedLetter(identity, original, None)  # `raw` left as exported
    return ExportedLetter(identity, raw.encode("utf-8") if isinstance(raw, str) else None, None)
