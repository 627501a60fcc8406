"""The one catalogue of error codes, shared by validator, ingestor, DLQ tooling and API.

The string values are stable: they travel in Kafka headers and are stored in the
warehouse, so a code is never renamed or reused for another meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    # Record level: raised by validate_record for one record.
    MISSING_FIELD = "missing_field"
    INVALID_TYPE = "invalid_type"
    OUT_OF_RANGE = "out_of_range"
    INVALID_ENUM = "invalid_enum"
    INVALID_FORMAT = "invalid_format"
    CROSS_FIELD = "cross_field"
    UNKNOWN_FIELD = "unknown_field"
    UNPARSEABLE = "unparseable"
    # Record level, raised by the loader: a valid record PostgreSQL refused to store (a value
    # out of the column's range, text it cannot hold such as NUL, a violated constraint).
    REFUSED_BY_DATABASE = "refused_by_database"
    # File level: raised by the ingestor for a whole file.
    SCHEMA_DRIFT = "schema_drift"
    UNKNOWN_ENTITY = "unknown_entity"
    NOT_UTF8 = "not_utf8"
    TOO_LARGE = "too_large"
    UNSAFE_NAME = "unsafe_name"
    INVALID_MANIFEST = "invalid_manifest"  # the batch's _SUCCESS manifest is wrong
    CONFLICTING_RESEND = "conflicting_resend"  # same batch and file, different content


RECORD_ERROR_CODES: frozenset[ErrorCode] = frozenset(
    {
        ErrorCode.MISSING_FIELD,
        ErrorCode.INVALID_TYPE,
        ErrorCode.OUT_OF_RANGE,
        ErrorCode.INVALID_ENUM,
        ErrorCode.INVALID_FORMAT,
        ErrorCode.CROSS_FIELD,
        ErrorCode.UNKNOWN_FIELD,
        ErrorCode.UNPARSEABLE,
        ErrorCode.REFUSED_BY_DATABASE,
    }
)
FILE_ERROR_CODES: frozenset[ErrorCode] = frozenset(ErrorCode) - RECORD_ERROR_CODES


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one record.

    `field` is the field name, a comma-joined list of names for a rule between
    fields ("customer_id,anonymous_id"), or None when the record as a whole failed.
    """

    code: ErrorCode
    field: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code.value, "field": self.field, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldError:
        return cls(ErrorCode(data["code"]), data.get("field"), str(data.get("message", "")))
