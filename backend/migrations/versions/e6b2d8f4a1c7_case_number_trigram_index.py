"""A trigram index on the case number's search key (PostgreSQL): any part of a number found by index.

pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. It goes into the
public schema, so that a deployment or test schema dropped later does not take it with it. The index is
built CONCURRENTLY (the case table stays writable). SQLite has no such index and scans.

Revision ID: e6b2d8f4a1c7
Revises: d3a7f5c9e2b4
Create Date: 2026-12-06 23:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e6b2d8f4a1c7"
down_revision: str | None = "d3a7f5c9e2b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_case_case_number_key_trigram"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        _create_pg_trgm()
        op.execute(
            f'CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON "case" '
            "USING gin (case_number_key public.gin_trgm_ops)"
        )


def _create_pg_trgm() -> None:
    """CREATE EXTENSION IF NOT EXISTS still fails when another session creates it at the same moment
    (parallel test schemas): then it exists, which is all this needs."""
    bind = op.get_bind()
    try:
        bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except sa.exc.DBAPIError:
        if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").scalar() is None:
            raise


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    with op.get_context().autocommit_block():
        op.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
