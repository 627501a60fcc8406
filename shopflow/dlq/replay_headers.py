"""Key and envelope of a replayed record: its original provenance plus its history."""

from __future__ import annotations

from typing import Any

from contracts.chunk import FileOrigin, ReplayMark
from shopflow.dlq.models import DeadLetter
from shopflow.ingest.keys import key_fields, record_key


def replay_key(letter: DeadLetter, edited_record: dict[str, Any] | None) -> bytes | None:
    """An edited record may have fixed its key fields: key it by what it says now."""
    if edited_record is None:
        return letter.record_key
    return record_key(edited_record, key_fields(letter.entity)) or letter.record_key


def replay_origin(letter: DeadLetter, contract_version: int) -> FileOrigin:
    """The file a replayed record was read from, naming the latest contract version (so a
    contract change is picked up)."""
    identity = letter.identity
    file_format = "jsonl" if identity.source_file.endswith(".jsonl") else "csv"
    return FileOrigin(identity.batch_id, identity.source_file, letter.entity, contract_version,
                      file_format, letter.file_sha256)


def replay_mark(letter: DeadLetter, replay_id: str) -> ReplayMark:
    return ReplayMark(replay_id=replay_id, attempt=letter.attempt,
                      first_failed_at=letter.first_failed_at.isoformat())
