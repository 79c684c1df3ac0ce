"""Field delivery in time and offline: parties' visit windows, officers' start points and hours, planned
arrivals, and resumable uploads from the officer's phone

Revision ID: f8b98637a561
Revises: a7c3e9d1b5f2
Create Date: 2026-12-06 19:28:54.942201
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "f8b98637a561"
down_revision: str | None = "a7c3e9d1b5f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "field_officer_shift",
        sa.Column("officer_user_id", sa.Integer(), nullable=False),
        sa.Column("start_lon", sa.Double(), nullable=False),
        sa.Column("start_lat", sa.Double(), nullable=False),
        sa.Column("start_label", sa.String(length=100), nullable=False),
        sa.Column("works_from", sa.Time(), nullable=False),
        sa.Column("works_until", sa.Time(), nullable=False),
        sa.Column("updated_at", backend.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["officer_user_id"],
            ["user_account.id"],
            name=op.f("fk_field_officer_shift_officer_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("officer_user_id", name=op.f("pk_field_officer_shift")),
    )
    op.create_table(
        "field_visit_window",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("available_from", sa.Time(), nullable=False),
        sa.Column("available_until", sa.Time(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("set_by_user_id", sa.Integer(), nullable=True),
        sa.Column("set_at", backend.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["delivery_attempt.id"],
            name=op.f("fk_field_visit_window_attempt_id_delivery_attempt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_field_visit_window_set_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_visit_window")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_field_visit_window_attempt_id")),
    )
    op.create_table(
        "field_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("officer_user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_bytes", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("refusal", sa.String(length=300), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=True),
        sa.Column("captured_at", backend.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", backend.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", backend.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["field_assignment.id"],
            name=op.f("fk_field_upload_assignment_id_field_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_field_upload_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["officer_user_id"],
            ["user_account.id"],
            name=op.f("fk_field_upload_officer_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_field_upload")),
        sa.UniqueConstraint(
            "assignment_id", "purpose", "sha256", name=op.f("uq_field_upload_assignment_id_purpose_sha256")
        ),
    )
    with op.batch_alter_table("field_assignment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("planned_arrival_at", backend.database.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("field_assignment", schema=None) as batch_op:
        batch_op.drop_column("planned_arrival_at")
    op.drop_table("field_upload")
    op.drop_table("field_visit_window")
    op.drop_table("field_officer_shift")
