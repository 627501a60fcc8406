"""The base of every contract model: null handling, cross-field rules, metadata."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, model_validator
from pydantic_core import CoreSchema, PydanticCustomError
from pydantic_core import core_schema as cs

from contracts.field_types import BLANK, Rule


class CrossFieldProblem(NamedTuple):
    fields: str  # comma-joined field names, e.g. "customer_id,anonymous_id"
    message: str


_NULL_OR_BLANK = cs.union_schema([cs.none_schema(), cs.str_schema(strict=True, pattern=BLANK)])
_NULL_OR_EMPTY = cs.union_schema([cs.none_schema(), cs.literal_schema([""])])
# Rejects every null or blank input, so that with_default(on_error="default") around it
# turns them into the field's default without a Python callback.
_NOTHING_BLANK = cs.int_schema(strict=True)


def _blank_means_default(schema: Any, free_text: bool) -> CoreSchema:
    """An optional field's schema `default(nullable(value))` becomes
    `default(union[value, blank -> default], left to right)`."""
    if schema["type"] != "default":
        return schema  # a required field: its rule rejects blanks (missing_field)
    inner: Any = schema["schema"]
    if inner["type"] == "nullable":
        inner = inner["schema"]
    blank = cs.chain_schema([
        _NULL_OR_EMPTY if free_text else _NULL_OR_BLANK,
        cs.with_default_schema(_NOTHING_BLANK, default=schema.get("default"),
                               on_error="default"),
    ])
    schema["schema"] = cs.union_schema([(inner, "value"), (blank, "null")], mode="left_to_right")
    return schema


def _model_fields_schema(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return None
    if schema.get("type") == "model-fields":
        return schema
    for key in ("schema", "definitions"):
        value = schema.get(key)
        for item in value if isinstance(value, list) else [value]:
            found = _model_fields_schema(item)
            if found is not None:
                return found
    return None


def _rules(model: type[BaseModel]) -> dict[str, Rule]:
    found = {}
    for name, info in model.model_fields.items():
        rules = [m for m in [*info.metadata, *_annotation_markers(info.annotation)]
                 if isinstance(m, Rule)]
        if rules:
            found[name] = rules[0]
    return found


def rule_of(model: type[BaseModel], name: str) -> Rule | None:
    return _rules(model).get(name)


def _annotation_markers(annotation: Any) -> list[Any]:
    """Annotated metadata nested inside Optional[...] (pydantic only lifts the outer level)."""
    if annotation is None:
        return []
    if hasattr(annotation, "__metadata__"):
        return list(annotation.__metadata__)
    if get_origin(annotation) is Union or type(annotation).__name__ == "UnionType":
        return [marker for arg in get_args(annotation) for marker in _annotation_markers(arg)]
    return []



class ContractModel(BaseModel):
    """One record of one entity at one contract version.

    Input is a mapping or a JSON object as read from a file: an absent key, None or "" is
    null; a whitespace-only value is null too, except in optional free-text fields, where
    it is data. Null in a required field is a missing field.

    All of it runs in pydantic-core (decision 0051): every optional field's schema is
    `value | blank`, tried left to right, where `blank` accepts only null, "" or
    whitespace and gives the field's default; a required field's rule rejects blanks,
    and the error mapping reports that as missing_field.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ENTITY: ClassVar[str]
    VERSION: ClassVar[int]
    NATURAL_KEY: ClassVar[tuple[str, ...]]
    PARTITION_KEY: ClassVar[tuple[str, ...]]
    MONEY_FIELDS: ClassVar[frozenset[str]] = frozenset()
    FREE_TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset()
    REQUIRED_FIELDS: ClassVar[frozenset[str]] = frozenset()
    # Rules between fields in JSON Schema words, for the export (contracts.export).
    JSON_SCHEMA_RULES: ClassVar[dict[str, Any]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.MONEY_FIELDS = frozenset(n for n, r in _rules(cls).items() if r.money)
        cls.FREE_TEXT_FIELDS = frozenset(n for n, r in _rules(cls).items() if r.free_text)
        cls.REQUIRED_FIELDS = frozenset(
            name for name, info in cls.model_fields.items() if info.is_required())
        misplaced = cls.FREE_TEXT_FIELDS & cls.REQUIRED_FIELDS
        if misplaced:  # whitespace-only text must be missing in a required field
            raise TypeError(f"{cls.__name__}: required free text must be Name, not Text: "
                            f"{sorted(misplaced)}")

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler
                                     ) -> CoreSchema:
        schema = handler(source)
        fields = _model_fields_schema(schema)
        if fields is not None:
            free_text = {n for n, r in _rules(cls).items() if r.free_text}
            for name, field in fields["fields"].items():
                field["schema"] = _blank_means_default(field["schema"], name in free_text)
        return schema

    def cross_field_problems(self) -> list[CrossFieldProblem]:
        """Rules between fields; runs only when every field on its own is valid."""
        return []

    def natural_key_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.NATURAL_KEY)

    def partition_key_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.PARTITION_KEY)


def check_cross_field_rules(model: ContractModel) -> ContractModel:
    problems = model.cross_field_problems()
    if problems:
        raise PydanticCustomError(
            "cross_field",
            "{detail}",
            {"detail": "; ".join(p.message for p in problems), "problems": tuple(problems)},
        )
    return model


def cross_field_rules() -> Any:
    """The after-validator a model with cross_field_problems() declares:
    `_cross_field = cross_field_rules()` (only those models pay for the callback)."""
    return model_validator(mode="after")(check_cross_field_rules)


__all__ = ["ContractModel", "CrossFieldProblem", "cross_field_rules", "rule_of"]

