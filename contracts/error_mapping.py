"""Turns a pydantic ValidationError into our FieldErrors: one per failing field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from contracts.errors import ErrorCode, FieldError
from contracts.parsing import preview

_CODE_BY_PYDANTIC_TYPE: dict[str, ErrorCode] = {
    "missing": ErrorCode.MISSING_FIELD,
    "extra_forbidden": ErrorCode.UNKNOWN_FIELD,
    "literal_error": ErrorCode.INVALID_ENUM,
    "enum": ErrorCode.INVALID_ENUM,
    "greater_than": ErrorCode.OUT_OF_RANGE,
    "greater_than_equal": ErrorCode.OUT_OF_RANGE,
    "less_than": ErrorCode.OUT_OF_RANGE,
    "less_than_equal": ErrorCode.OUT_OF_RANGE,
    "string_too_long": ErrorCode.OUT_OF_RANGE,
    "decimal_max_digits": ErrorCode.OUT_OF_RANGE,
    "decimal_max_places": ErrorCode.OUT_OF_RANGE,
    "decimal_whole_digits": ErrorCode.OUT_OF_RANGE,
    "string_pattern_mismatch": ErrorCode.INVALID_FORMAT,
    "model_type": ErrorCode.UNPARSEABLE,
    "model_attributes_type": ErrorCode.UNPARSEABLE,
    "dict_type": ErrorCode.UNPARSEABLE,
}
_OUR_CODES = frozenset(code.value for code in ErrorCode)
_MAX_FIELD_NAME = 100


def code_for(pydantic_type: str) -> ErrorCode:
    """Our code for a pydantic error type; anything unforeseen is a type problem."""
    if pydantic_type in _OUR_CODES:
        return ErrorCode(pydantic_type)
    return _CODE_BY_PYDANTIC_TYPE.get(pydantic_type, ErrorCode.INVALID_TYPE)


def field_errors(exc: ValidationError, entity: str, version: int) -> list[FieldError]:
    found: dict[str | None, FieldError] = {}
    for detail in exc.errors(include_url=False):
        for error in _errors_of(detail, entity, version):
            found.setdefault(error.field, error)
    return list(found.values())


def _errors_of(detail: ErrorDetails, entity: str, version: int) -> list[FieldError]:
    code = code_for(detail["type"])
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    if code is ErrorCode.CROSS_FIELD and "problems" in context:
        return [FieldError(code, fields, message) for fields, message in context["problems"]]
    if code is ErrorCode.INVALID_ENUM and not isinstance(detail.get("input"), str):
        code = ErrorCode.INVALID_TYPE  # an object or number where enum text belongs
    field = _field_name(detail["loc"])
    return [FieldError(code, field, _message(code, field, detail, entity, version))]


def _field_name(loc: tuple[int | str, ...]) -> str | None:
    if not loc:
        return None
    # Field names can come from untrusted JSON keys; keep them short and encodable.
    name = str(loc[0]).encode("utf-8", "backslashreplace").decode("utf-8")
    return name if len(name) <= _MAX_FIELD_NAME else name[: _MAX_FIELD_NAME - 3] + "..."


def _message(
    code: ErrorCode, field: str | None, detail: ErrorDetails, entity: str, version: int
) -> str:
    if code is ErrorCode.MISSING_FIELD:
        return f"{field} is required but is absent, null or blank"
    if code is ErrorCode.UNKNOWN_FIELD:
        return f"{field!r} is not a field of the {entity} v{version} contract"
    if detail["type"] in _OUR_CODES:
        return f"{field}: {detail['msg']}" if field else detail["msg"]
    return f"{field}: {detail['msg']}, got {_shown(detail.get('input'))}"


def _shown(value: Any) -> str:
    # Range errors see the parsed value; show 19.90, not Decimal('19.90').
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    return preview(value)
