"""BACKWARD compatibility between two exported JSON Schemas of one entity.

BACKWARD (as in Confluent Schema Registry) means: a consumer using the new
schema can read every record written under the old one. For our contracts:
- a field required in the old schema must still exist (it may become optional);
- an optional field may be removed; a new field must be optional;
- a field that was optional must not become required;
- no field may change type; an enum may gain values but not lose them, and a
  field may start accepting null but not stop.
"""

from __future__ import annotations

from typing import Any

from contracts.field_types import BLANK

Schema = dict[str, Any]
# An optional field's "blank means null" branch (decision 0051) is null, for this check.
_BLANK_BRANCH: Schema = {"type": "string", "pattern": BLANK}


def backward_compatibility_problems(old: Schema, new: Schema) -> list[str]:
    old_props: dict[str, Schema] = old.get("properties", {})
    new_props: dict[str, Schema] = new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    problems = []
    for name in sorted(old_required - set(new_props)):
        problems.append(f"required field {name!r} was removed")
    for name in sorted(set(new_props) - set(old_props)):
        if name in new_required:
            problems.append(f"new field {name!r} is required; a new field must be optional")
    for name in sorted(set(old_props) & set(new_props)):
        if name in new_required and name not in old_required:
            problems.append(f"field {name!r} was optional and is now required")
        old_type = _resolve(old_props[name], old)
        new_type = _resolve(new_props[name], new)
        problems.extend(_type_problems(name, old_type, new_type, old, new))
    return list(dict.fromkeys(problems))


def _type_problems(
    name: str, old: Schema, new: Schema, old_doc: Schema, new_doc: Schema
) -> list[str]:
    old_branches = [_resolve(b, old_doc) for b in _branches(old)]
    new_branches = [_resolve(b, new_doc) for b in _branches(new)]
    if len(old_branches) == 1 and len(new_branches) == 1:
        return _scalar_problems(name, old_branches[0], new_branches[0], old_doc, new_doc)
    problems = []
    for branch in old_branches:
        attempts = [_type_problems(name, branch, nb, old_doc, new_doc) for nb in new_branches]
        if all(attempts):
            problems.extend(_closest(branch, new_branches, attempts, name))
    return problems


def _closest(
    branch: Schema, candidates: list[Schema], attempts: list[list[str]], name: str
) -> list[str]:
    """The most telling reason an old alternative is no longer accepted."""
    for candidate, problems in zip(candidates, attempts, strict=True):
        if candidate.get("type") == branch.get("type"):
            return problems
    return [f"field {name!r} no longer accepts {_describe(branch)}"]


def _scalar_problems(
    name: str, old: Schema, new: Schema, old_doc: Schema, new_doc: Schema
) -> list[str]:
    if old.get("type") != new.get("type") or old.get("format") != new.get("format"):
        return [f"field {name!r} changed type from {_describe(old)} to {_describe(new)}"]
    old_values, new_values = _enum_values(old), _enum_values(new)
    if old_values is not None and new_values is not None:
        removed = [value for value in old_values if value not in new_values]
        if removed:
            return [f"field {name!r} enum was narrowed: {removed} no longer allowed"]
    elif new_values is not None:
        return [f"field {name!r} is now restricted to the values {new_values}"]
    if "items" in old or "items" in new:
        return _type_problems(
            f"{name}[]", old.get("items", {}), new.get("items", {}), old_doc, new_doc
        )
    return []


def _branches(schema: Schema) -> list[Schema]:
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            return [branch for alternative in schema[keyword] for branch in _branches(alternative)]
    return [{"type": "null"} if schema == _BLANK_BRANCH else schema]


def _resolve(schema: Schema, document: Schema) -> Schema:
    if isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], document)
    reference = schema.get("$ref")
    if not isinstance(reference, str) or not reference.startswith("#/"):
        return schema
    target: Any = document
    for part in reference[2:].split("/"):
        target = target[part]
    return _resolve(target, document)


def _enum_values(schema: Schema) -> list[Any] | None:
    if "enum" in schema:
        return list(schema["enum"])
    if "const" in schema:
        return [schema["const"]]
    return None


def _describe(schema: Schema) -> str:
    if _enum_values(schema) is not None:
        return f"enum {_enum_values(schema)}"
    kind = str(schema.get("type", "any"))
    return f"{kind} ({schema['format']})" if "format" in schema else kind
