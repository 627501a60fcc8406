"""Turns pydantic's error details into our FieldErrors: one per failing field.

The contract schemas name most codes themselves (custom_error_schema and
PydanticCustomError types are our codes); the rest is a table. Two rules need the input:

- a required field whose value is null, "" or whitespace-only is `missing_field`,
  whatever its rule said about it (decision 0051: blanks are rejected natively);
- a field that accepts text or a number is tried as `text | number` (and an optional one
  as `value | null`): the branch that explains the error is the one for the input's kind,
  and of a number's alternatives, the one our own rule raised.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic_core import ErrorDetails

from contracts.base import ContractModel
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
    "string_unicode": ErrorCode.INVALID_FORMAT,
    "model_type": ErrorCode.UNPARSEABLE,
    "model_attributes_type": ErrorCode.UNPARSEABLE,
    "dict_type": ErrorCode.UNPARSEABLE,
    "json_invalid": ErrorCode.UNPARSEABLE,
}
_OUR_CODES = frozenset(code.value for code in ErrorCode)
_MAX_FIELD_NAME = 100
_NULL_BRANCH = "null"


def code_for(pydantic_type: str) -> ErrorCode:
    """Our code for a pydantic error type; anything unforeseen is a type problem."""
    if pydantic_type in _OUR_CODES:
        return ErrorCode(pydantic_type)
    return _CODE_BY_PYDANTIC_TYPE.get(pydantic_type, ErrorCode.INVALID_TYPE)


def field_errors(details: list[ErrorDetails], contract: type[ContractModel]) -> list[FieldError]:
    by_field: dict[Any, list[ErrorDetails]] = {}
    for detail in details:
        loc = detail["loc"]
        by_field.setdefault(loc[0] if loc else None, []).append(detail)
    found: dict[str | None, FieldError] = {}
    for key, group in by_field.items():
        for error in _errors_of(key, group, contract):
            found.setdefault(error.field, error)
    return list(found.values())


def _errors_of(key: Any, group: list[ErrorDetails], contract: type[ContractModel]
               ) -> list[FieldError]:
    detail = _explaining(group)
    code = code_for(detail["type"])
    context: dict[str, Any] = dict(detail.get("ctx") or {})
    if code is ErrorCode.CROSS_FIELD and "problems" in context:
        return [FieldError(code, fields, message) for fields, message in context["problems"]]
    field = _field_name(key)
    value = detail.get("input")
    if key in contract.REQUIRED_FIELDS and code is not ErrorCode.MISSING_FIELD and _blank(value):
        code = ErrorCode.MISSING_FIELD
    elif code in _TEXT_CODES and not isinstance(value, str):
        code = ErrorCode.INVALID_TYPE  # an object or number where text belongs
    elif len(group) > 1 and isinstance(value, bool | dict | list):
        code = ErrorCode.INVALID_TYPE
    return [FieldError(code, field, _message(code, field, detail, contract))]


_TEXT_CODES = frozenset({ErrorCode.INVALID_ENUM, ErrorCode.INVALID_FORMAT})


def _explaining(group: list[ErrorDetails]) -> ErrorDetails:
    """The error that explains a field: the null branch of an optional field never does;
    of `text | number` branches, the one for the input's kind."""
    if len(group) == 1:
        return group[0]
    candidates = [d for d in group if _NULL_BRANCH not in d["loc"][1:2]] or group
    value = candidates[0].get("input")
    kind = "text" if isinstance(value, str) else (
        "number" if isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        else None)
    matching = [d for d in candidates if kind is not None and kind in d["loc"][1:]]
    # Of the number alternatives (int, float, exact Decimal), our own callback's error
    # names the value best: "expected an integer, got 1.5 (it has a fraction)".
    ours = [d for d in matching if d["type"] in _OUR_CODES]
    return (ours or matching or candidates)[0]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value or value.isspace()))


def _field_name(key: Any) -> str | None:
    if key is None:
        return None
    # Field names can come from untrusted JSON keys; keep them short and encodable.
    name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
    return name if len(name) <= _MAX_FIELD_NAME else name[: _MAX_FIELD_NAME - 3] + "..."


def _message(code: ErrorCode, field: str | None, detail: ErrorDetails,
             contract: type[ContractModel]) -> str:
    if code is ErrorCode.MISSING_FIELD:
        return f"{field} is required but is absent, null or blank"
    if code is ErrorCode.UNKNOWN_FIELD:
        return f"{field!r} is not a field of the {contract.ENTITY} v{contract.VERSION} contract"
    text = f"{field}: {detail['msg']}" if field else detail["msg"]
    if detail["type"] in _OUR_CODES and "detail" in (detail.get("ctx") or {}):
        return text  # our own callbacks word the value themselves
    return f"{text}, got {_shown(detail.get('input'))}"


def _shown(value: Any) -> str:
    # Range errors see the parsed value; show 19.90, not Decimal('19.90').
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    return preview(value)
