"""Desk presence follows the desk's sockets: agent_presence.desk_seen_at (the last moment a desk socket of
the agent was open in any API process); the audit log indexed by object for the administrators' "who read
this recording" (ix_audit_log_object). Also joins the two heads committed side by side (case search keys
and the party portal).

Revision ID: e7a3c9b5d2f4
Revises: a9d4b2c6e8f1, c6f2a8d4e1b7
Create Date: 2026-12-06 20:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "e7a3c9b5d2f4"
down_revision: str | Sequence[str] | None = ("a9d4b2c6e8f1", "c6f2a8d4e1b7")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_presence") as batch:
        batch.add_column(
            sa.Column("desk_seen_at", backend.database.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_index("ix_audit_log_object", "audit_log", ["object_type", "object_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_object", table_name="audit_log")
    with op.batch_alter_table("agent_presence") as batch:
        batch.drop_column("desk_seen_at")
