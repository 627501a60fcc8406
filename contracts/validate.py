"""Validation of one record against its contract: from its JSON text or from a mapping.

Both entry points run the same pydantic-core schema (decision 0051); they differ only in
how the record arrives. Neither raises for bad data.

JSON numbers are read exactly (decision 0055): pydantic-core reads a JSON number with a
fraction or an exponent as a binary float, so the number rules refuse such a float in
JSON mode (NEEDS_EXACT_NUMBER), and `validate_json` then reads the record again with the
standard library, every such number a Decimal of exactly the digits written, and runs
the same schema on it. Records without such numbers in number fields (all CSV rows,
decimals written as text) take only the first pass.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from contracts.base import ContractModel
from contracts.error_mapping import field_errors
from contracts.errors import ErrorCode, FieldError
from contracts.field_types import NEEDS_EXACT_NUMBER
from contracts.parsing import preview
from contracts.registry import get_contract

# pydantic error types that mean "the input as a whole is not a JSON object of fields".
_NOT_A_RECORD = frozenset({"json_invalid", "json_type", "model_type", "model_attributes_type",
                           "dict_type"})


@dataclass(frozen=True, slots=True)
class ValidationOutcome:
    """A valid model, or the reasons the record is not valid (never both)."""

    model: ContractModel | None
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.model is not None and not self.errors

    def error_codes(self) -> list[ErrorCode]:
        return [error.code for error in self.errors]


def unparseable(message: str) -> ValidationOutcome:
    """The outcome for a record that could not be read at all (bad JSON, bad bytes...)."""
    return ValidationOutcome(None, [FieldError(ErrorCode.UNPARSEABLE, None, message)])


def validate_json(entity: str, data: bytes | str, version: int | None = None
                  ) -> ValidationOutcome:
    """Validates one record given as its JSON text (a JSON object).

    Raises only UnknownContractError (unknown entity or version), never for bad data:
    text that is not JSON, or JSON that is not an object, is `unparseable`.
    """
    contract = get_contract(entity, version)
    try:
        return ValidationOutcome(contract.model_validate_json(data), [])
    except ValidationError as exc:
        details = exc.errors(include_url=False)
        if any(detail["type"] == NEEDS_EXACT_NUMBER for detail in details):
            return _validate_exact_numbers(contract, entity, data)
        return _invalid(details, contract, entity)
    except Exception as exc:  # a crash here would stall a partition; the record is the problem
        return unparseable(f"could not validate the record: {preview(exc, 200)}")


def _validate_exact_numbers(contract: type[ContractModel], entity: str,
                            data: bytes | str) -> ValidationOutcome:
    """The second pass of validate_json for a record that pydantic-core parsed but holds a
    JSON number with a fraction or an exponent in a number field: the same schema on the
    record read with every such number as a Decimal of exactly its written digits."""
    try:
        text = data if isinstance(data, str) else bytes(data).decode("utf-8")
        record = json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # pydantic-core read it; kept as a guard
        return unparseable(f"the record is not JSON: {preview(exc, 200)}")
    try:
        return ValidationOutcome(contract.model_validate(record), [])
    except ValidationError as exc:
        return _invalid(exc.errors(include_url=False), contract, entity)


def validate_record(
    entity: str, record: Mapping[str, Any], version: int | None = None
) -> ValidationOutcome:
    """Validates one record given as a mapping (a CSV row, an edited dead letter).

    Raises only UnknownContractError, never for bad data.
    """
    contract = get_contract(entity, version)
    if type(record) is not dict:
        if not isinstance(record, Mapping):
            return unparseable(
                f"a record of {entity} must be an object, got {type(record).__name__}")
        record = dict(record)
    try:
        return ValidationOutcome(contract.model_validate(record), [])
    except ValidationError as exc:
        odd_keys = [key for key in record if not isinstance(key, str)]
        if odd_keys:
            return unparseable(
                f"a record of {entity} has field names that are not text "
                f"({preview(odd_keys)}); a CSV row with more cells than its header looks "
                "like this")
        return _invalid(exc.errors(include_url=False), contract, entity)
    except Exception as exc:
        return unparseable(f"could not validate the record: {preview(exc, 200)}")


def _invalid(details: list[ErrorDetails], contract: type[ContractModel], entity: str
             ) -> ValidationOutcome:
    if len(details) == 1 and not details[0]["loc"] and details[0]["type"] in _NOT_A_RECORD:
        detail = details[0]
        if detail["type"] == "json_invalid":
            return unparseable(f"the record is not JSON: {detail['msg']}")
        return unparseable(f"a record of {entity} must be an object, got "
                           f"{_json_kind(detail.get('input'))}")
    return ValidationOutcome(None, field_errors(details, contract))


def _json_kind(value: Any) -> str:
    if isinstance(value, bytes | str):
        return "JSON that is not an object"
    return type(value).__name__
