"""Key and headers of a replayed record: its original provenance plus its history."""

from __future__ import annotations

from typing import Any

from shopflow.dlq.models import DeadLetter
from shopflow.events import (
    H_BATCH_ID,
    H_CONTRACT_VERSION,
    H_ENTITY,
    H_ERR_ATTEMPT,
    H_ERR_FIRST_FAILED_AT,
    H_FILE_HASH,
    H_FORMAT,
    H_LINE,
    H_REPLAY_ID,
    H_SOURCE_FILE,
)
from shopflow.ingest.keys import key_fields, record_key
from shopflow.runtime.kafka import Headers


def replay_key(letter: DeadLetter, edited_record: dict[str, Any] | None) -> bytes | None:
    """An edited record may have fixed its key fields: key it by what it says now."""
    if edited_record is None:
        return letter.record_key
    return record_key(edited_record, key_fields(letter.entity)) or letter.record_key


def replay_headers(letter: DeadLetter, replay_id: str, contract_version: int) -> Headers:
    identity = letter.identity
    file_format = "jsonl" if identity.source_file.endswith(".jsonl") else "csv"
    headers: Headers = [
        (H_BATCH_ID, identity.batch_id.encode()),
        (H_SOURCE_FILE, identity.source_file.encode()),
        (H_LINE, str(identity.line_number).encode()),
        (H_ENTITY, letter.entity.encode()),
        (H_CONTRACT_VERSION, str(contract_version).encode()),
        (H_FORMAT, file_format.encode()),
        (H_REPLAY_ID, replay_id.encode()),
        (H_ERR_ATTEMPT, str(letter.attempt).encode()),
        (H_ERR_FIRST_FAILED_AT, letter.first_failed_at.isoformat().encode()),
    ]
    if letter.file_sha256:
        headers.append((H_FILE_HASH, letter.file_sha256.encode()))
    return headers
