"""Deciding one record of a raw chunk: validate it against the contract its chunk names."""

from __future__ import annotations

from contracts import UnknownContractError, ValidationOutcome, unparseable

try:
    from contracts import validate_json
except ImportError:  # TEMPORARY until contracts.validate_json lands
    import orjson

    from contracts import validate_record

    def validate_json(entity: str, data: bytes | str, version: int | None = None
                      ) -> ValidationOutcome:
        try:
            record = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            return unparseable(f"the value is not JSON: {exc}")
        if not isinstance(record, dict):
            return unparseable(f"the value must be a JSON object, got {type(record).__name__}")
        return validate_record(entity, record, version)
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
