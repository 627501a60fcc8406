"""Schemas, roles, ops ledger and staging tables.

Revision ID: 0001
Revises:
"""

from pathlib import Path

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    # Roles are cluster-wide and may serve other databases: they are left in place.
    op.execute("DROP SCHEMA IF EXISTS staging, ops, warehouse, marts CASCADE")
