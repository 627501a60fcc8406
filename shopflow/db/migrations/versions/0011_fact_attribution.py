"""warehouse.fact_attribution: attribution credits per order (decision 0082); fact_sessions
indexes for recent neighbours and covering touches (decision 0083).

Revision ID: 0011
Revises: 0010
"""

from pathlib import Path

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


_DOWNGRADE = """
DROP TABLE IF EXISTS warehouse.fact_attribution;
DROP INDEX IF EXISTS warehouse.fact_sessions_end_idx;
DROP INDEX IF EXISTS warehouse.fact_sessions_touch_idx;
CREATE INDEX fact_sessions_touch_idx ON warehouse.fact_sessions (customer_id, session_start)
  WHERE utm_campaign IS NOT NULL;
"""


def downgrade() -> None:
    op.execute(_DOWNGRADE)
