"""pickup slot templates, closed days, and bookings' code, status and check-in

Revision ID: a7c41d2e9b10
Revises: 76934a148f6c
Create Date: 2026-12-06 16:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "a7c41d2e9b10"
down_revision: str | None = "76934a148f6c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOOKING_STATUS = sa.Enum(
    "booked",
    "checked_in",
    "served",
    "no_show",
    "cancelled",
    name="bookingstatus",
    native_enum=False,
    length=32,
)


def upgrade() -> None:
    op.create_table(
        "pickup_template",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("window_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Time(), nullable=False),
        sa.Column("end", sa.Time(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_at", backend.database.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "slot_minutes > 0 AND capacity > 0", name=op.f("ck_pickup_template_positive_slots")
        ),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["pickup_window.id"],
            name=op.f("fk_pickup_template_window_id_pickup_window"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_template")),
    )
    with op.batch_alter_table("pickup_template", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pickup_template_window_id"), ["window_id"], unique=False)

    op.create_table(
        "pickup_holiday",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_holiday")),
        sa.UniqueConstraint("day", name=op.f("uq_pickup_holiday_day")),
    )

    with op.batch_alter_table("pickup_booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("code", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("status", BOOKING_STATUS, nullable=False, server_default="booked"))
        batch_op.add_column(
            sa.Column("checked_in_at", backend.database.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("checked_in_by_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reminded_at", backend.database.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_pickup_booking_code"), ["code"])
        batch_op.create_index(batch_op.f("ix_pickup_booking_status"), ["status"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_pickup_booking_checked_in_by_user_id_user_account"),
            "user_account",
            ["checked_in_by_user_id"],
            ["id"],
        )
    with op.batch_alter_table("pickup_booking", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("pickup_booking", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_pickup_booking_checked_in_by_user_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_pickup_booking_status"))
        batch_op.drop_constraint(batch_op.f("uq_pickup_booking_code"), type_="unique")
        batch_op.drop_column("reminded_at")
        batch_op.drop_column("checked_in_by_user_id")
        batch_op.drop_column("checked_in_at")
        batch_op.drop_column("status")
        batch_op.drop_column("code")
    op.drop_table("pickup_holiday")
    with op.batch_alter_table("pickup_template", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pickup_template_window_id"))
    op.drop_table("pickup_template")
