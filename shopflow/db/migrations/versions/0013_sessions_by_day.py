"""fact_sessions is keyed and looked up by session_date first: a daily build's inserts
land in the pages of its own days (decision 0086).

Revision ID: 0013
Revises: 0012
"""

from pathlib import Path

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


_DOWNGRADE = """
DROP INDEX IF EXISTS warehouse.fact_sessions_long_idx;
DROP INDEX IF EXISTS warehouse.fact_sessions_visitor_idx;
ALTER TABLE warehouse.fact_sessions DROP CONSTRAINT fact_sessions_pkey;
ALTER TABLE warehouse.fact_sessions ADD PRIMARY KEY (session_id);
CREATE INDEX fact_sessions_visitor_idx ON warehouse.fact_sessions (visitor_id, session_start);
CREATE INDEX fact_sessions_date_idx ON warehouse.fact_sessions (session_date);
"""


def downgrade() -> None:
    op.execute(_DOWNGRADE)
