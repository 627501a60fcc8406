"""Read views of the dashboard pages (issue 16): product history, reviews, sales lines.

Revision ID: 0008
Revises: 0007
"""

from pathlib import Path

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    for view in ("sales_lines", "product_reviews", "product_history"):
        op.execute(f"DROP VIEW IF EXISTS marts.{view}")
