"""Record keys: the entity's partition-key fields joined by "|" (order lines by order id)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from contracts import partition_key


def key_fields(entity: str) -> tuple[str, ...]:
    return partition_key(entity)


def record_key(mapping: Mapping[str, Any] | None, fields: Sequence[str]) -> bytes | None:
    """The Kafka key of a record as read; None when it has no key values at all."""
    if mapping is None:
        return None
    parts = ["" if (value := mapping.get(name)) is None else str(value) for name in fields]
    if not any(parts):
        return None
    return "|".join(parts).encode("utf-8", "backslashreplace")


def key_function(fields: Sequence[str]) -> Callable[[Mapping[str, Any] | None], bytes | None]:
    """record_key for these fields, with a shortcut for the usual one-field key."""
    if len(fields) != 1:
        return lambda mapping: record_key(mapping, fields)
    [name] = fields

    def single(mapping: Mapping[str, Any] | None) -> bytes | None:
        if mapping is None:
            return None
        value = mapping.get(name)
        if type(value) is not str:
            return record_key(mapping, fields)  # None, a number...: the general rule
        return value.encode("utf-8", "backslashreplace") if value else None

    return single
