"""Writes (or checks) the committed JSON Schemas: contracts/schemas/<entity>/v<N>.json.

The schema says the contract's rules exactly (decision 0051): each field type's JSON
Schema comes from its Rule (contracts.field_types), optional fields add a "blank means
null" branch, and the model's JSON_SCHEMA_RULES add the rules between fields. ShopFlow's
own keywords and formats (x-shopflow-*) are implemented by contracts.schema_rules.

python -m contracts.export          # write every registered version
python -m contracts.export --check  # exit 1 listing files that are missing or stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from contracts.base import ContractModel
from contracts.registry import CONTRACTS

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def schema_document(model: type[ContractModel]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="validation")
    schema.update(model.JSON_SCHEMA_RULES)  # rules between fields (if/then, x-shopflow-rules)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["x-shopflow-entity"] = model.ENTITY
    schema["x-shopflow-version"] = model.VERSION
    schema["x-natural-key"] = list(model.NATURAL_KEY)
    return schema


def schema_text(model: type[ContractModel]) -> str:
    return json.dumps(schema_document(model), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_path(entity: str, version: int, root: Path = SCHEMA_DIR) -> Path:
    return root / entity / f"v{version}.json"


def expected_files(root: Path = SCHEMA_DIR) -> dict[Path, str]:
    return {
        schema_path(entity, version, root): schema_text(model)
        for (entity, version), model in sorted(CONTRACTS.items())
    }


def stale_files(root: Path = SCHEMA_DIR) -> list[Path]:
    """Schema files that are missing or differ from what the models export today."""
    return list(_stale(expected_files(root)))


def write_all(root: Path = SCHEMA_DIR) -> list[Path]:
    stale = _stale(expected_files(root))
    for path, text in stale.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(stale)


def _stale(expected: dict[Path, str]) -> dict[Path, str]:
    return {
        path: text
        for path, text in expected.items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m contracts.export", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files()
        for path in stale:
            print(f"stale or missing: {path} (run: python -m contracts.export)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_all():
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
