"""Deciding one raw message: decode it and validate it against the contract it names."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from contracts import UnknownContractError, ValidationOutcome, unparseable, validate_record
from contracts.parsing import preview
from shopflow.events import H_CONTRACT_VERSION, H_PARSE_ERROR


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: ValidationOutcome
    version: str  # the contract version asked for (header text), for the DLQ headers


def decide(entity: str, value: bytes | None, headers: dict[str, str]) -> Decision:
    """Never raises: anything wrong with the message becomes a dead-letter outcome."""
    version_text = headers.get(H_CONTRACT_VERSION, "")
    try:
        return Decision(_validate(entity, value, headers, version_text), version_text)
    except Exception as exc:  # a bug must not stall the partition; the record is parked
        return Decision(unparseable(f"validator could not handle the record: "
                                    f"{preview(exc, 200)}"), version_text)


def _validate(entity: str, value: bytes | None, headers: dict[str, str],
              version_text: str) -> ValidationOutcome:
    if H_PARSE_ERROR in headers:
        return unparseable(headers[H_PARSE_ERROR] or "the ingestor could not read the record")
    if version_text and not version_text.isdigit():
        return unparseable(f"contract version header {preview(version_text)} is not a number")
    if value is None:
        return unparseable("the message has no value")
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        return unparseable(f"the value is not JSON: {exc}")
    if not isinstance(record, dict):
        return unparseable(f"the value must be a JSON object, got {type(record).__name__}")
    try:
        return validate_record(entity, record, int(version_text) if version_text else None)
    except UnknownContractError as exc:
        return unparseable(str(exc))
