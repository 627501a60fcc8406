"""A quick route through validation for records that are plainly valid.

`validate_record` tries it first. It accepts a record only when every field passes
the parsers, constraints and checks that the contract's own annotations declare
(read from the model by contracts.quick_checks, not restated) and the model's
after-validators pass; it then builds the model the way `model_construct` does. On
anything else — a missing or unknown field, a value of an unexpected type, a failed
check — it declines, and the full pydantic route decides and words the errors.
Most records are valid, so pydantic's per-field Python callbacks run only for the
records that need explaining (decision 0050). tests/unit/contracts/test_quick_route.py
checks that both routes build equal models.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from contracts.base import ContractModel
from contracts.quick_checks import CHOICE, OTHER, TEXT, FieldPlan, Step, Unsupported, field_plan

_set = object.__setattr__  # the models are frozen
_new = object.__new__  # ContractModel has no __new__ of its own


@dataclass(frozen=True, slots=True)
class QuickRoute:
    model: type[ContractModel]
    plans: dict[str, FieldPlan]
    required: frozenset[str]
    after: tuple[Step, ...]
    # Every field in declaration order with its default (required ones: a placeholder
    # that a valid record always overwrites).
    template: dict[str, Any]

    def validate(self, record: Mapping[Any, Any]) -> ContractModel | None:
        """The valid model, or None: "let the full route decide"."""
        values = self._field_values(record)
        if values is None or not self.required <= values.keys():
            return None
        model = self._construct(values)
        try:
            for validator in self.after:
                model = validator(model)
        except Exception:  # e.g. a cross-field rule: pydantic words it
            return None
        return model if type(model) is self.model else None

    def _field_values(self, record: Mapping[Any, Any]) -> dict[str, Any] | None:
        # Per field, this loop is the cost that matters: keep it lean. The null rule of
        # ContractModel._drop_nulls is mirrored in part: None and "" are null; text that
        # is only whitespace is rare, so rather than decide per field whether it is null
        # (or, in free text, data) the route declines it as a whole below.
        plans = self.plans
        values: dict[str, Any] = {}
        texts: list[str] = []
        try:
            for key, value in record.items():
                kind, first, second = plans[key]  # KeyError: not a field of the contract
                if type(value) is str:
                    if not value:
                        continue
                    if kind is TEXT:
                        if not first <= len(value) <= second:
                            return None
                        texts.append(value)
                    elif kind is CHOICE:
                        if value not in first:
                            return None
                    else:
                        value = first(value)
                elif value is None:
                    continue
                elif kind is not OTHER or isinstance(value, str) or value == "":
                    return None  # a non-text value for text, or something unusual
                else:
                    value = first(value)
                values[key] = value
        except Exception:  # an unknown field or a failed check: explained by pydantic
            return None
        if texts and (not _storable("".join(texts)) or any(map(str.isspace, texts))):
            return None
        return values

    def _construct(self, values: dict[str, Any]) -> ContractModel:
        """What `model_construct` does, without its per-call overhead."""
        model = _new(self.model)
        fields = self.template.copy()
        fields.update(values)
        _set(model, "__dict__", fields)
        _set(model, "__pydantic_fields_set__", set(values))
        _set(model, "__pydantic_extra__", None)
        _set(model, "__pydantic_private__", None)
        return model


def _storable(text: str) -> bool:
    """check_storable_text for many values at once (joining cannot add or hide a NUL or
    a lone surrogate)."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@cache
def quick_route(model: type[ContractModel]) -> QuickRoute | None:
    """The model's quick route, or None when it uses something the route does not mirror."""
    try:
        return _build(model)
    except Unsupported:
        return None


def _build(model: type[ContractModel]) -> QuickRoute:
    config = model.model_config
    if set(config) - {"extra", "frozen", "title"} or config.get("extra") != "forbid":
        raise Unsupported("model configuration")
    fields = model.model_fields
    return QuickRoute(
        model=model,
        plans={name: field_plan(info) for name, info in fields.items()},
        required=frozenset(name for name, info in fields.items() if info.is_required()),
        after=_after_validators(model),
        template={name: None if info.is_required() else info.get_default()
                  for name, info in fields.items()},
    )


def _after_validators(model: type[ContractModel]) -> tuple[Step, ...]:
    """The model's after-validators in pydantic's order; other model validators: Unsupported."""
    decorators = model.__pydantic_decorators__
    if decorators.field_validators or decorators.validators or decorators.root_validators:
        raise Unsupported("field validators")
    after = []
    for name, decorator in decorators.model_validators.items():
        if decorator.info.mode == "before" and name == "_drop_nulls":
            continue  # QuickRoute applies the same null rule itself
        if decorator.info.mode != "after" or \
                len(inspect.signature(decorator.func).parameters) != 1:
            raise Unsupported(f"model validator {name}")
        after.append(decorator.func)
    return tuple(after)
