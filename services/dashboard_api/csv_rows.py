"""Turn a response model into CSV rows: which list is the rows, and flat columns.

Rules (docs/decisions/0070-csv-from-the-response-models.md):
* the rows are the response's lists of objects (several lists: a `list` column says
  which); a response without such a list (e.g. /kpis) is one row;
* a nested object becomes dotted columns (`range.start`, `counts.loaded`);
* a nested list of objects with a `name` becomes columns per name
  (`stages.load.status`); any other nested list of objects becomes one row per
  element (cohorts x cells); other lists and free dicts become a JSON cell.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, get_args

from pydantic import BaseModel

Row = dict[str, Any]
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
# Cells a spreadsheet would run as a formula (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_model_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(
        isinstance(item, BaseModel) for item in value)


def _model_list_fields(model: BaseModel) -> list[str]:
    return [name for name in type(model).model_fields
            if _is_model_list(getattr(model, name)) or _declared_model_list(model, name)]


def _declared_model_list(model: BaseModel, name: str) -> bool:
    """An empty list whose declared item type is a model still names the rows."""
    annotation = type(model).model_fields[name].annotation
    return any(isinstance(arg, type) and issubclass(arg, BaseModel)
               for arg in get_args(annotation)) and getattr(model, name) == []


def response_rows(result: BaseModel) -> Iterator[Row]:
    """The CSV rows of one response (one page of a paged list)."""
    lists = _model_list_fields(result)
    if not lists:
        yield from _rows(result)
        return
    for name in lists:
        for item in getattr(result, name):
            for row in _rows(item):
                yield {"list": name, **row} if len(lists) > 1 else row


def _rows(model: BaseModel) -> Iterator[Row]:
    """One model as rows: one row, or one per element of a list it explodes."""
    flat: Row = {}
    exploded: tuple[str, list[BaseModel]] | None = None
    for name in type(model).model_fields:
        value = getattr(model, name)
        if _is_model_list(value) and not _named(value) and exploded is None:
            exploded = (name, value)
        else:
            _flatten_into(flat, name, value, model, name)
    if exploded is None:
        yield flat
        return
    prefix, items = exploded
    for item in items:
        for child in _rows(item):
            yield {**flat, **{f"{prefix}.{key}": cell for key, cell in child.items()}}


def _named(items: list[BaseModel]) -> bool:
    names = [getattr(item, "name", None) for item in items]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _flatten_into(flat: Row, key: str, value: Any, owner: BaseModel, field: str) -> None:
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _flatten_into(flat, f"{key}.{name}", getattr(value, name), value, name)
    elif _is_model_list(value) and _named(value):
        for item in value:
            for name in type(item).model_fields:
                if name != "name":
                    flat[f"{key}.{item.name}.{name}"] = getattr(item, name)
    elif value is None and (model := _optional_model(owner, field)) is not None:
        for name in model.model_fields:
            flat[f"{key}.{name}"] = None
    else:
        flat[key] = value


def _optional_model(owner: BaseModel, field: str) -> type[BaseModel] | None:
    annotation = type(owner).model_fields[field].annotation
    return next((arg for arg in get_args(annotation)
                 if isinstance(arg, type) and issubclass(arg, BaseModel)), None)


def cell(value: Any) -> str:
    """A value as CSV text: ISO dates, true/false, JSON for structures, no formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(_plain(value), ensure_ascii=False, default=str,
                           separators=(",", ":"))
        return _defused(value)
    return _defused(str(value))


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def _defused(text: str) -> str:
    if text.startswith(_FORMULA_START) and not _NUMBER.match(text):
        return "'" + text
    return text
