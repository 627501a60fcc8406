"""Database access: connection helpers and Alembic migrations."""
