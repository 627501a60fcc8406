"""Deciding one record of a raw chunk: validate it against the contract its chunk names."""

from __future__ import annotations

from contracts import UnknownContractError, ValidationOutcome, unparseable, validate_json
from contracts.chunk import RecordEntry
from contracts.parsing import preview


def decide(entity: str, entry: RecordEntry, version: int | None) -> ValidationOutcome:
    """Never raises: anything wrong with the record becomes a dead-letter outcome."""
    try:
        if "error" in entry:
            return unparseable(entry["error"] or "the ingestor could not read the record")
        value = entry.get("value")
        if value is None:
            return unparseable("the chunk entry holds no record text")
        return validate_json(entity, value, version or None)
    except UnknownContractError as exc:
        return unparseable(str(exc))
    except Exception as exc:  # a bug must not stall the partition; the record is parked
        return unparseable(f"validator could not handle the record: {preview(exc, 200)}")
