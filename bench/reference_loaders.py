"""The two reference points of the benchmark, run on the same published files."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql


def published_files(out: Path, truth: dict[str, Any]) -> list[tuple[str, Path]]:
    files = []
    for batch_id, batch in sorted(truth["batches"].items()):
        for name, info in sorted(batch["files"].items()):
            if info["outcome"] == "published":
                files.append((info["entity"], out / batch_id / name))
    return files


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def copy_files(url: str, files: list[tuple[str, Path]]) -> float:
    """Raw COPY into all-text scratch tables: the physical limit (records/s)."""
    records, started = 0, time.monotonic()
    with psycopg.connect(url) as conn:
        for index, (_, path) in enumerate(files):
            table = sql.Identifier(f"copy_ref_{index}")
            if path.suffix == ".csv":
                header = path.open(encoding="utf-8", errors="replace").readline().strip()
                columns = [c for c in header.split(",") if c]
                cols = sql.SQL(", ").join(sql.SQL("{} text").format(sql.Identifier(c))
                                          for c in columns)
                conn.execute(sql.SQL("CREATE TEMP TABLE {} ({})").format(table, cols))
                statement = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)")
                records += _lines(path) - 1
            else:
                conn.execute(sql.SQL("CREATE TEMP TABLE {} (doc text)").format(table))
                statement = sql.SQL("COPY {} FROM STDIN (FORMAT text)")
                records += _lines(path)
            # Defect rows carry non-UTF-8 bytes that PostgreSQL refuses: replace them.
            data = path.read_bytes().decode("utf-8", "replace").encode()
            if path.suffix != ".csv":
                data = data.replace(b"\\", b"\\\\")
            with conn.cursor().copy(statement.format(table)) as copy:
                copy.write(data)
        conn.rollback()
    return records / (time.monotonic() - started)


def pandas_load(url: str, files: list[tuple[str, Path]]) -> float:
    """The seed-style loader: pandas read_csv/read_json + DataFrame.to_sql (records/s)."""
    import pandas as pd
    from sqlalchemy import create_engine

    from shopflow.db.connect import sqlalchemy_url

    engine = create_engine(sqlalchemy_url(url))
    records, started = 0, time.monotonic()
    with engine.begin() as conn:
        for index, (_, path) in enumerate(files):
            if path.suffix == ".csv":
                frame = pd.read_csv(path, encoding_errors="replace")
            else:
                rows = []
                for line in path.read_text(errors="replace").splitlines():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        continue
                frame = pd.DataFrame(rows)
            frame.to_sql(f"pandas_ref_{index}", conn, if_exists="replace", index=False)
            records += len(frame)
    with engine.begin() as conn:
        for index in range(len(files)):
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "pandas_ref_{index}"')
    engine.dispose()
    return records / (time.monotonic() - started)
