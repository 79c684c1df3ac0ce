"""The party portal: one-time login codes (hashed), portal sessions, WeChat bindings, document views and
paper requests

Revision ID: c6f2a8d4e1b7
Revises: f8b98637a561
Create Date: 2026-12-06 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "c6f2a8d4e1b7"
down_revision: str | None = "f8b98637a561"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOMENT = backend.database.UTCDateTime(timezone=True)
KIND = sa.Enum("phone", "address", "email", name="contactkind", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "portal_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("wrong_tries", sa.Integer(), nullable=False),
        sa.Column("used_at", MOMENT, nullable=True),
        sa.Column("locked_until", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_code")),
    )
    op.create_index(op.f("ix_portal_code_address"), "portal_code", ["address"])
    op.create_index(op.f("ix_portal_code_client_ip"), "portal_code", ["client_ip"])
    op.create_index(op.f("ix_portal_code_created_at"), "portal_code", ["created_at"])
    op.create_table(
        "portal_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("party_ids", sa.JSON(), nullable=False),
        sa.Column("wechat_openid", sa.String(length=64), nullable=True),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("expires_at", MOMENT, nullable=False),
        sa.Column("ended_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_portal_session_token_hash")),
    )
    op.create_table(
        "portal_wechat_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("unionid", sa.String(length=64), nullable=True),
        sa.Column("mobile", sa.String(length=32), nullable=False),
        sa.Column("nickname", sa.String(length=100), nullable=True),
        sa.Column("bound_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_wechat_binding")),
        sa.UniqueConstraint("openid", name=op.f("uq_portal_wechat_binding_openid")),
    )
    op.create_table(
        "portal_document_view",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", MOMENT, nullable=False),
        sa.Column("client_ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("pages", sa.JSON(), nullable=False),
        sa.Column("page_count", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["portal_session.id"],
            name=op.f("fk_portal_document_view_session_id_portal_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_portal_document_view_delivery_id_delivery"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["document.id"],
            name=op.f("fk_portal_document_view_document_id_document"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_document_view")),
    )
    op.create_index(op.f("ix_portal_document_view_session_id"), "portal_document_view", ["session_id"])
    op.create_index(op.f("ix_portal_document_view_delivery_id"), "portal_document_view", ["delivery_id"])
    op.create_table(
        "portal_paper_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("way", sa.String(length=20), nullable=False),
        sa.Column("postal_address", sa.String(length=300), nullable=True),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("planned_attempt_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", MOMENT, nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_portal_paper_request_delivery_id_delivery"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_portal_paper_request_evidence_id_evidence")
        ),
        sa.ForeignKeyConstraint(
            ["planned_attempt_id"],
            ["delivery_attempt.id"],
            name=op.f("fk_portal_paper_request_planned_attempt_id_delivery_attempt"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_paper_request")),
    )
    op.create_index(op.f("ix_portal_paper_request_delivery_id"), "portal_paper_request", ["delivery_id"])


def downgrade() -> None:
    op.drop_table("portal_paper_request")
    op.drop_table("portal_document_view")
    op.drop_table("portal_wechat_binding")
    op.drop_table("portal_session")
    op.drop_table("portal_code")
