"""docs/warehouse.md documents every warehouse and mart table, view and column."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
MIGRATION = ROOT / "shopflow/db/migrations/versions/0002_warehouse.sql"
DOC = ROOT / "docs/warehouse.md"


def _without_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _top_level_items(body: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in body:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            items.append(current.strip())
            current = ""
        else:
            current += char
    return [*items, current.strip()]


def tables() -> dict[str, list[str]]:
    sql = _without_comments(MIGRATION.read_text(encoding="utf-8"))
    found = {}
    for name, body in re.findall(r"CREATE TABLE (\w+\.\w+) \((.*?)\n\);", sql, re.S):
        found[name] = [item.split()[0] for item in _top_level_items(body)
                       if item.split()[0] not in ("PRIMARY", "UNIQUE", "CHECK", "CONSTRAINT")]
    return found


def views() -> list[str]:
    return re.findall(r"CREATE VIEW (\w+\.\w+)", MIGRATION.read_text(encoding="utf-8"))


def sections() -> dict[str, str]:
    doc = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `?([\w.]+)`?", doc, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def test_every_table_has_a_section_with_its_grain_and_every_column() -> None:
    documented = sections()
    found = tables()
    assert len(found) >= 18
    for table, columns in found.items():
        assert table in documented, f"{table} is not documented"
        section = documented[table]
        assert "Grain" in section, f"{table}: no grain"
        missing = [c for c in columns if f"`{c}`" not in section]
        assert not missing, f"{table}: undocumented columns {missing}"


def test_every_view_is_documented() -> None:
    documented = sections()
    assert [v for v in views() if v not in documented] == []
