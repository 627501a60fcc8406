"""API keys, database roles and the reporting access (issue 14).

Revision ID: 0006
Revises: 0005
"""

from pathlib import Path

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SQL = Path(__file__).with_suffix(".sql")


def upgrade() -> None:
    op.execute(SQL.read_text(encoding="utf-8"))


# Roles are cluster-wide (other databases may use them): the downgrade leaves them and
# takes back only what this database granted.
_DOWNGRADE = """
DROP SCHEMA IF EXISTS reporting, reporting_personal CASCADE;
DROP SCHEMA IF EXISTS access CASCADE;
REVOKE SELECT (batch_id, file_name, sha256) ON ops.ingested_files FROM shopflow_api;
GRANT SELECT ON ALL TABLES IN SCHEMA ops TO shopflow_api;
ALTER DEFAULT PRIVILEGES IN SCHEMA ops GRANT SELECT ON TABLES TO shopflow_api;
"""


def downgrade() -> None:
    op.execute(_DOWNGRADE)
