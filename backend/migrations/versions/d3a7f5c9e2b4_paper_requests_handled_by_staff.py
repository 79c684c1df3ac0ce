"""Paper requests handled by staff: who sent the copies of a request no attempt took up, when, and how

Revision ID: d3a7f5c9e2b4
Revises: b9e4d2a6c8f1
Create Date: 2026-12-06 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "d3a7f5c9e2b4"
down_revision: str | None = "b9e4d2a6c8f1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_paper_request", schema=None) as batch_op:
        handled_at = sa.Column("handled_at", backend.database.UTCDateTime(timezone=True), nullable=True)
        batch_op.add_column(handled_at)
        batch_op.add_column(sa.Column("handled_by_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("handled_note", sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_portal_paper_request_handled_by_user_id_user_account"),
            "user_account",
            ["handled_by_user_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("portal_paper_request", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_portal_paper_request_handled_by_user_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("handled_note")
        batch_op.drop_column("handled_by_user_id")
        batch_op.drop_column("handled_at")
