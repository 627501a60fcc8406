"""Validation of one record (a mapping read from CSV or JSON) against its contract."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from contracts.base import ContractModel
from contracts.error_mapping import field_errors
from contracts.errors import ErrorCode, FieldError
from contracts.parsing import preview
from contracts.quick_route import quick_route
from contracts.registry import get_contract


@dataclass(frozen=True)
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


def validate_record(
    entity: str, record: Mapping[str, Any], version: int | None = None
) -> ValidationOutcome:
    """Validates one record; raises only UnknownContractError, never for bad data."""
    contract = get_contract(entity, version)
    if type(record) is not dict and not isinstance(record, Mapping):  # dict: skip the ABC check
        return unparseable(f"a record of {entity} must be an object, got {type(record).__name__}")
    model = _quickly(contract, record)
    if model is not None:
        return ValidationOutcome(model, [])
    odd_keys = [key for key in record if not isinstance(key, str)]
    if odd_keys:
        return unparseable(
            f"a record of {entity} has field names that are not text ({preview(odd_keys)}); "
            "a CSV row with more cells than its header looks like this"
        )
    try:
        model = contract.model_validate(dict(record))
    except ValidationError as exc:
        return ValidationOutcome(None, field_errors(exc, entity, contract.VERSION))
    except Exception as exc:  # a crash here would stall a partition; the record is the problem
        return unparseable(f"could not validate the record: {preview(exc, 200)}")
    return ValidationOutcome(model, [])


def _quickly(contract: type[ContractModel], record: Mapping[Any, Any]) -> ContractModel | None:
    """The model by the quick route, or None to take the full route (which words errors)."""
    route = quick_route(contract)
    if route is None:
        return None
    try:
        return route.validate(record)
    except Exception:  # whatever surprised the quick route, the full route handles it
        return None
