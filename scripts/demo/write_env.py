"""Write the demo's addresses into the project's `.env`, so every `shopflow` command run
from the project root talks to the demo's landing directory, Kafka and database.

Only the block between the two markers is rewritten (other lines, such as the passwords
`make compose-env` writes, stay). Variables set in the environment still win over `.env`.

    python scripts/demo/write_env.py PATH   # values from the environment (scripts/demo/env.sh)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BEGIN = "# >>> make demo: rewritten by scripts/demo/write_env.py on every run"
END = "# <<< make demo"
KEYS = ("SHOPFLOW_KAFKA_BOOTSTRAP", "SHOPFLOW_DATABASE_URL", "SHOPFLOW_INGESTOR_DATABASE_URL",
        "SHOPFLOW_LOADER_DATABASE_URL", "SHOPFLOW_TRANSFORMER_DATABASE_URL",
        "SHOPFLOW_API_DATABASE_URL", "SHOPFLOW_LANDING_DIR", "SHOPFLOW_QUARANTINE_DIR",
        "SHOPFLOW_API_HOST", "SHOPFLOW_API_PORT")


def without_block(text: str) -> list[str]:
    kept, inside = [], False
    for line in text.splitlines():
        if line == BEGIN:
            inside = True
        elif line == END and inside:
            inside = False
        elif not inside:
            kept.append(line)
    return kept


def demo_block(environ: dict[str, str]) -> list[str]:
    missing = [key for key in KEYS if not environ.get(key)]
    if missing:
        raise SystemExit(f"write_env: not set: {', '.join(missing)} (source scripts/demo/env.sh)")
    return [BEGIN, *(f"{key}={environ[key]}" for key in KEYS), END]


def write(path: Path, environ: dict[str, str]) -> None:
    kept = without_block(path.read_text()) if path.exists() else []
    while kept and not kept[-1].strip():
        kept.pop()
    lines = [*kept, "", *demo_block(environ)] if kept else demo_block(environ)
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    write(Path(sys.argv[1]), dict(os.environ))
