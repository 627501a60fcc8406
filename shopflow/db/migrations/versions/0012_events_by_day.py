"""fact_events_visitor_idx leads with event_date: a daily build's inserts land in the pages
of its own days (decision 0085).

Revision ID: 0012
Revises: 0011
"""

from pathlib import Path

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


_DOWNGRADE = """
DROP INDEX IF EXISTS warehouse.fact_events_visitor_idx;
CREATE INDEX fact_events_visitor_idx ON warehouse.fact_events (visitor_id, event_ts);
"""


def downgrade() -> None:
    op.execute(_DOWNGRADE)
