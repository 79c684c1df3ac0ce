"""Messages' life through the SMS and e-mail gateways (status times, tries, delivery-report token) and
electronic notices (the party's link per electronic attempt)

Revision ID: d8e2a4c6f1b3
Revises: b2c5d8e1f4a7
Create Date: 2026-12-06 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "d8e2a4c6f1b3"
down_revision: str | None = "b2c5d8e1f4a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = backend.database.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("sms_outbox") as batch:
        batch.add_column(sa.Column("channel", sa.String(length=32), nullable=False, server_default="sms"))
        batch.alter_column("to_number", existing_type=sa.String(length=32), type_=sa.String(length=200))
        batch.add_column(sa.Column("subject", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("attempt_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("dlr_token", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("sender", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("gateway_id", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("gateway_reply", sa.Text(), nullable=True))
        batch.add_column(sa.Column("reports", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("tries", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_try_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("sending_since", MOMENT, nullable=True))
        batch.add_column(sa.Column("accepted_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("delivered_at", MOMENT, nullable=True))
        batch.add_column(sa.Column("failed_at", MOMENT, nullable=True))
        batch.create_foreign_key(
            batch.f("fk_sms_outbox_attempt_id_delivery_attempt"),
            "delivery_attempt",
            ["attempt_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(batch.f("ix_sms_outbox_attempt_id"), ["attempt_id"], unique=False)
        batch.create_index(batch.f("ix_sms_outbox_next_try_at"), ["next_try_at"], unique=False)
        batch.create_unique_constraint(batch.f("uq_sms_outbox_dlr_token"), ["dlr_token"])
    op.create_table(
        "electronic_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("link_token", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("address_confirmed", sa.Boolean(), nullable=False),
        sa.Column("confirmation_evidence_id", sa.Integer(), nullable=True),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["delivery_attempt.id"],
            name=op.f("fk_electronic_notice_attempt_id_delivery_attempt"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmation_evidence_id"],
            ["evidence.id"],
            name=op.f("fk_electronic_notice_confirmation_evidence_id_evidence"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_electronic_notice")),
        sa.UniqueConstraint("attempt_id", name=op.f("uq_electronic_notice_attempt_id")),
        sa.UniqueConstraint("link_token", name=op.f("uq_electronic_notice_link_token")),
    )


def downgrade() -> None:
    op.drop_table("electronic_notice")
    with op.batch_alter_table("sms_outbox") as batch:
        batch.drop_constraint(batch.f("uq_sms_outbox_dlr_token"), type_="unique")
        batch.drop_index(batch.f("ix_sms_outbox_next_try_at"))
        batch.drop_index(batch.f("ix_sms_outbox_attempt_id"))
        batch.drop_constraint(batch.f("fk_sms_outbox_attempt_id_delivery_attempt"), type_="foreignkey")
        for column in (
            "failed_at",
            "delivered_at",
            "accepted_at",
            "sending_since",
            "next_try_at",
            "tries",
            "reports",
            "gateway_reply",
            "gateway_id",
            "sender",
            "dlr_token",
            "attempt_id",
            "subject",
            "channel",
        ):
            batch.drop_column(column)
        batch.alter_column("to_number", existing_type=sa.String(length=200), type_=sa.String(length=32))
