"""What each database role can do per schema, read from PostgreSQL's own privilege checks."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg

ROLES = ("shopflow_ingestor", "shopflow_loader", "shopflow_transformer", "shopflow_api",
         "shopflow_reader", "shopflow_reader_personal")
SCHEMAS = ("ops", "staging", "warehouse", "marts", "access", "reporting",
           "reporting_personal", "public")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
NONE = "—"

_PRIVILEGES = """
SELECT p.privilege FROM unnest(%(privileges)s::text[]) AS p(privilege)
WHERE EXISTS (
  SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'v', 'm', 'p')
    AND CASE p.privilege WHEN 'SELECT'
          THEN has_any_column_privilege(%(role)s, c.oid, 'SELECT')
          ELSE has_table_privilege(%(role)s, c.oid, p.privilege) END)
"""
_EXECUTE = """
SELECT EXISTS (
  SELECT 1 FROM pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace
  WHERE n.nspname = %(schema)s AND has_function_privilege(%(role)s, f.oid, 'EXECUTE'))
"""


def cell(conn: psycopg.Connection, role: str, schema: str) -> str:
    """The privileges `role` holds on some object of `schema`, or — without USAGE."""
    params = {"role": role, "schema": schema, "privileges": list(TABLE_PRIVILEGES)}
    usage = conn.execute("SELECT has_schema_privilege(%s, %s, 'USAGE')",
                         (role, schema)).fetchone()
    if not usage or not usage[0]:
        return NONE
    held = {row[0] for row in conn.execute(_PRIVILEGES, params)}
    executes = conn.execute(_EXECUTE, params).fetchone()
    if schema != "public" and executes and executes[0]:
        held.add("EXECUTE")
    creates = conn.execute("SELECT has_schema_privilege(%s, %s, 'CREATE')",
                           (role, schema)).fetchone()
    if creates and creates[0]:
        held.add("CREATE")
    ordered = [p for p in (*TABLE_PRIVILEGES, "EXECUTE", "CREATE") if p in held]
    return " ".join(ordered) if ordered else "USAGE"


def actual_matrix(conn: psycopg.Connection) -> dict[str, dict[str, str]]:
    return {role: {schema: cell(conn, role, schema) for schema in SCHEMAS} for role in ROLES}


def documented_matrix(doc: Path) -> dict[str, dict[str, str]]:
    """The role x schema table of docs/security.md (rows start with a role in backticks)."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    header = next(line for line in lines if line.startswith("| role |"))
    schemas = [c.strip().strip("`") for c in header.strip("|").split("|")][1:]
    matrix = {}
    for line in lines:
        match = re.match(r"^\| `(shopflow_\w+)` \|", line)
        if match:
            cells = [c.strip() for c in line.strip("|").split("|")][1:]
            matrix[match[1]] = dict(zip(schemas, cells, strict=True))
    return matrix
