"""Per-field plans for the quick route, read from a contract's own annotations.

A plan mirrors what pydantic does with a field's Annotated metadata: before-validators
(the last listed runs first), then the type check and constraints, then
after-validators in order. Common shapes get a plan the route checks inline:

- TEXT: str with optional length bounds whose only validator is check_storable_text
  (the route checks all such values of a record in one go);
- CHOICE: text from a fixed set (a Literal of str, or check_country/check_currency).

Anything else becomes one composed function (OTHER). Metadata this module does not
know raises Unsupported, and the model then always takes the full pydantic route.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, NamedTuple, Union, cast, get_args, get_origin

import annotated_types as at
from pydantic import AfterValidator, BeforeValidator
from pydantic.fields import FieldInfo

from contracts.field_types import FieldKind
from contracts.text_checks import (
    check_country,
    check_currency,
    check_storable_text,
    country_codes,
    currency_codes,
)

Step = Callable[[Any], Any]  # returns the (parsed) value or raises

TEXT, CHOICE, OTHER = "text", "choice", "other"
# Validators that only test membership of a fixed set: (validator, the set).
_MEMBERSHIP: tuple[tuple[Step, Callable[[], frozenset[str]]], ...] = (
    (check_country, country_codes),
    (check_currency, currency_codes),
)
_CONSTRAINTS = (at.MinLen, at.MaxLen, at.Ge, at.Gt, at.Le, at.Lt)


class Unsupported(Exception):
    """Something the quick route does not mirror: the model always goes the full way."""


class Declined(Exception):
    """A value the quick route leaves to pydantic to explain."""


class FieldPlan(NamedTuple):
    kind: str
    # TEXT: (shortest, longest); CHOICE: (allowed values, None); OTHER: (check, None)
    first: Any
    second: Any


class _Parts(NamedTuple):
    annotation: Any
    befores: list[Step]
    constraints: list[Any]
    afters: list[Step]


def field_plan(info: FieldInfo) -> FieldPlan:
    if info.alias or info.validation_alias or info.default_factory:
        raise Unsupported("field options")
    parts = _parts(info)
    annotation, befores, constraints, afters = parts
    if annotation is str and not befores and afters == [check_storable_text] and \
            all(isinstance(c, at.MinLen | at.MaxLen) for c in constraints):
        shortest = max((c.min_length for c in constraints if isinstance(c, at.MinLen)), default=0)
        longest = min((c.max_length for c in constraints if isinstance(c, at.MaxLen)),
                      default=float("inf"))
        return FieldPlan(TEXT, shortest, longest)
    if not befores and not constraints:
        allowed = _fixed_set(annotation, afters)
        if allowed is not None:
            return FieldPlan(CHOICE, allowed, None)
    return FieldPlan(OTHER, _compose(parts), None)


def _parts(info: FieldInfo) -> _Parts:
    annotation, metadata = _unwrap(info.annotation, list(info.metadata))
    parts = _Parts(annotation, [], [], [])
    for item in metadata:
        if isinstance(item, BeforeValidator):
            parts.befores.insert(0, cast(Step, item.func))  # the last listed wraps the others
        elif isinstance(item, AfterValidator):
            parts.afters.append(cast(Step, item.func))
        elif isinstance(item, _CONSTRAINTS):
            if parts.befores or parts.afters:
                raise Unsupported("a constraint listed after a validator")
            parts.constraints.append(item)
        elif not isinstance(item, FieldKind) and not _is_documentation(item):
            raise Unsupported(f"metadata {item!r}")
    for step in (*parts.befores, *parts.afters):
        if len(inspect.signature(step).parameters) != 1:
            raise Unsupported("a validator that takes validation info")
    return parts


def _unwrap(annotation: Any, metadata: list[Any]) -> tuple[Any, list[Any]]:
    """`X | None` -> X (nulls never reach a check); Annotated[X, ...] -> X and its metadata."""
    if get_origin(annotation) in (Union, UnionType):
        others = [arg for arg in get_args(annotation) if arg is not NoneType]
        if len(others) != 1:
            raise Unsupported("a union")
        annotation = others[0]
    if get_origin(annotation) is Annotated:
        base, *extra = get_args(annotation)
        return base, [*extra, *metadata]
    return annotation, metadata


def _is_documentation(item: Any) -> bool:
    """Field(json_schema_extra=...) inside Annotated: schema text, no validation."""
    return isinstance(item, FieldInfo) and not item.metadata and \
        item.json_schema_extra is not None and item.is_required()


def _fixed_set(annotation: Any, afters: list[Step]) -> frozenset[str] | None:
    if get_origin(annotation) is Literal and not afters:
        choices = get_args(annotation)
        return frozenset(choices) if all(type(c) is str for c in choices) else None
    if annotation is str and len(afters) == 1:
        return next((codes() for check, codes in _MEMBERSHIP if check is afters[0]), None)
    return None


def _compose(parts: _Parts) -> Step:
    core = _core_check(parts.annotation, parts.constraints)
    steps = [*parts.befores, core, *parts.afters]
    if len(steps) == 1:
        return core

    def run(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return run


def _core_check(annotation: Any, constraints: list[Any]) -> Step:
    """The type check and constraints pydantic applies after the before-validators."""
    accepts = _type_check(annotation)
    bounds = tuple(_bound(constraint) for constraint in constraints)

    def check(value: Any) -> Any:
        if not accepts(value):
            raise Declined
        for compare, limit, of_length in bounds:
            if not compare(len(value) if of_length else value, limit):
                raise Declined
        return value

    return check


def _type_check(annotation: Any) -> Callable[[Any], bool]:
    if get_origin(annotation) is Literal:
        choices = frozenset(get_args(annotation))
        return lambda value: type(value) is str and value in choices
    if annotation is Decimal:
        return lambda value: type(value) is Decimal and value.is_finite()
    if annotation in (str, int, date, datetime):
        return lambda value: type(value) is annotation
    raise Unsupported(f"type {annotation!r}")


def _bound(constraint: Any) -> tuple[Callable[[Any, Any], bool], Any, bool]:
    """(comparison, limit, applies to the length)."""
    if isinstance(constraint, at.MinLen):
        return operator.ge, constraint.min_length, True
    if isinstance(constraint, at.MaxLen):
        return operator.le, constraint.max_length, True
    if isinstance(constraint, at.Ge):
        return operator.ge, constraint.ge, False
    if isinstance(constraint, at.Gt):
        return operator.gt, constraint.gt, False
    if isinstance(constraint, at.Le):
        return operator.le, constraint.le, False
    return operator.lt, constraint.lt, False
