"""Indexes for open work, the agent's scope and the wall's time filter (issue 19).

Built CONCURRENTLY on PostgreSQL (outside a transaction, so a large delivery table stays writable while
they build), normally on SQLite.

Revision ID: f5a1c3e7b9d2
Revises: d8e2a4c6f1b3
Create Date: 2026-12-06 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f5a1c3e7b9d2"
down_revision: str | None = "d8e2a4c6f1b3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_DELIVERY = "status IN ('pending', 'in_progress', 'unservable')"
# name, table, columns, partial-index condition
INDEXES: tuple[tuple[str, str, list[str], str | None], ...] = (
    ("ix_delivery_open_deadline", "delivery", ["deadline", "id"], OPEN_DELIVERY),
    ("ix_delivery_assignee_case", "delivery", ["assignee_user_id", "case_id"], None),
    (
        "ix_delivery_attempt_performer_delivery",
        "delivery_attempt",
        ["performed_by_user_id", "delivery_id"],
        None,
    ),
    ("ix_call_record_created_at", "call_record", ["created_at"], None),
    ("ix_contact_point_usable_phone", "contact_point", ["party_id"], "kind = 'phone' AND state <> 'invalid'"),
)


def upgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    if not postgresql:
        for name, table, columns, where in INDEXES:
            condition = sa.text(where) if where else None
            op.create_index(name, table, columns, sqlite_where=condition)
        return
    with op.get_context().autocommit_block():
        for name, table, columns, where in INDEXES:
            condition = sa.text(where) if where else None
            op.create_index(
                name,
                table,
                columns,
                postgresql_where=condition,
                postgresql_concurrently=True,
                if_not_exists=True,
            )


def downgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    if not postgresql:
        for name, table, _columns, _where in INDEXES:
            op.drop_index(name, table_name=table)
        return
    with op.get_context().autocommit_block():
        for name, table, _columns, _where in INDEXES:
            op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
