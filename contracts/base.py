"""The base of every contract model: input clean-up, cross-field rules, metadata."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, NamedTuple, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from contracts.field_types import FREE_TEXT, MONEY, FieldKind


class CrossFieldProblem(NamedTuple):
    fields: str  # comma-joined field names, e.g. "customer_id,anonymous_id"
    message: str


class ContractModel(BaseModel):
    """One record of one entity at one contract version.

    Input is a mapping as read from a file: an absent key, None or "" is null;
    a whitespace-only value is null too, except in optional free-text fields,
    where it is data. Null in a required field is a missing field.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    ENTITY: ClassVar[str]
    VERSION: ClassVar[int]
    NATURAL_KEY: ClassVar[tuple[str, ...]]
    PARTITION_KEY: ClassVar[tuple[str, ...]]
    MONEY_FIELDS: ClassVar[frozenset[str]] = frozenset()
    FREE_TEXT_FIELDS: ClassVar[frozenset[str]] = frozenset()
    # Looked up per record: computed once, since `cls.model_fields` is slow to reach.
    _FIELD_NAMES: ClassVar[frozenset[str]] = frozenset()
    _BLANK_MEANS_NULL: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.MONEY_FIELDS = cls._fields_marked(MONEY)
        cls.FREE_TEXT_FIELDS = cls._fields_marked(FREE_TEXT)
        cls._FIELD_NAMES = frozenset(cls.model_fields)
        cls._BLANK_MEANS_NULL = frozenset(
            name
            for name, info in cls.model_fields.items()
            if info.is_required() or name not in cls.FREE_TEXT_FIELDS
        )

    @classmethod
    def _fields_marked(cls, kind: FieldKind) -> frozenset[str]:
        return frozenset(
            name
            for name, info in cls.model_fields.items()
            if kind in info.metadata or kind in _annotation_markers(info.annotation)
        )

    @model_validator(mode="before")
    @classmethod
    def _drop_nulls(cls, data: Any) -> Any:
        # Dropping nulls lets pydantic report "missing" and apply defaults uniformly.
        if not isinstance(data, Mapping):
            return data
        names, blank_means_null = cls._FIELD_NAMES, cls._BLANK_MEANS_NULL
        return {
            key: value
            for key, value in data.items()
            if key not in names or not _means_null(key, value, blank_means_null)
        }

    @model_validator(mode="after")
    def _check_cross_field_rules(self) -> Self:
        problems = self.cross_field_problems()
        if problems:
            raise PydanticCustomError(
                "cross_field",
                "{detail}",
                {"detail": "; ".join(p.message for p in problems), "problems": tuple(problems)},
            )
        return self

    def cross_field_problems(self) -> list[CrossFieldProblem]:
        """Rules between fields; runs only when every field on its own is valid."""
        return []

    def natural_key_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.NATURAL_KEY)

    def partition_key_values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.PARTITION_KEY)


def _means_null(name: str, value: Any, blank_means_null: frozenset[str]) -> bool:
    if value is None or value == "":
        return True
    if not isinstance(value, str) or value.strip():
        return False
    return name in blank_means_null


def _annotation_markers(annotation: Any) -> list[Any]:
    """Annotated metadata nested inside Optional[...] (pydantic only lifts the outer level)."""
    if annotation is None:
        return []
    if hasattr(annotation, "__metadata__"):
        return list(annotation.__metadata__)
    if get_origin(annotation) is Union or type(annotation).__name__ == "UnionType":
        return [marker for arg in get_args(annotation) for marker in _annotation_markers(arg)]
    return []
