"""Warehouse star schema, marts and their read views.

Revision ID: 0002
Revises: 0001
"""

from pathlib import Path

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")

_DROP_VIEWS = ("customer_ltv", "warehouse_as_of", "calendar", "customer_history",
               "products", "campaigns", "attribution", "cohort_retention")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    for view in _DROP_VIEWS:
        op.execute(f"DROP VIEW IF EXISTS marts.{view} CASCADE")
    op.execute("""
      DO $$
      DECLARE t record;
      BEGIN
        FOR t IN SELECT schemaname, tablename FROM pg_tables
                 WHERE schemaname IN ('warehouse', 'marts') LOOP
          EXECUTE format('DROP TABLE %I.%I CASCADE', t.schemaname, t.tablename);
        END LOOP;
      END $$""")
    op.execute("DROP FUNCTION IF EXISTS warehouse.surrogate_key(text[])")
    op.execute("DROP INDEX IF EXISTS ops.builds_batch_idx")
    op.execute("DROP INDEX IF EXISTS ops.quality_checks_status_idx")
    op.execute("ALTER TABLE ops.builds DROP COLUMN IF EXISTS batch_sequence")
    for index in ("staging_orders_customer_idx", "staging_clickstream_event_idx",
                  "staging_inventory_key_idx", "staging_campaigns_key_idx"):
        op.execute(f"DROP INDEX IF EXISTS staging.{index}")
