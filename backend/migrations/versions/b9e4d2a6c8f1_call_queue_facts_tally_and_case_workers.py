"""The call queue's facts on the delivery, the wall's tally of the queue and the case workers (issue 19).

deliveries.upkeep keeps them from here on; this fills them once from the rows already stored (only open
deliveries carry queue facts, so the update touches open work, not the history). The indexes are built
CONCURRENTLY on PostgreSQL after the fill (outside a transaction: the delivery table stays writable).

Revision ID: b9e4d2a6c8f1
Revises: e7a3c9b5d2f4
Create Date: 2026-12-06 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import backend.database

revision: str = "b9e4d2a6c8f1"
down_revision: str | None = "e7a3c9b5d2f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FILL_DELIVERIES = """
UPDATE delivery SET
  in_call_queue = (
    status IN ('pending', 'in_progress')
    AND EXISTS (SELECT 1 FROM contact_point AS p WHERE p.party_id = delivery.party_id AND p.kind = 'phone'
                AND p.state <> 'invalid')
    AND NOT EXISTS (SELECT 1 FROM delivery_attempt AS a WHERE a.delivery_id = delivery.id
                    AND a.method <> 'phone' AND a.status IN ('planned', 'in_progress'))),
  hearing_at = (SELECT c.hearing_at FROM "case" AS c WHERE c.id = delivery.case_id),
  case_priority = (SELECT CASE c.case_type WHEN 'mediation' THEN 0 WHEN 'commercial' THEN 1
                   WHEN 'civil' THEN 2 WHEN 'administrative' THEN 3 WHEN 'enforcement' THEN 4 ELSE 5 END
                   FROM "case" AS c WHERE c.id = delivery.case_id)
WHERE status IN ('pending', 'in_progress', 'unservable')
"""
FILL_TALLY = """
INSERT INTO call_queue_tally (agent_group, deadline, deliveries)
SELECT coalesce(agent_group, ''), coalesce(deadline, '9999-12-31'), count(*) FROM delivery
WHERE in_call_queue GROUP BY coalesce(agent_group, ''), coalesce(deadline, '9999-12-31')
"""
FILL_WORKERS = """
INSERT INTO case_worker (user_id, case_id)
SELECT assignee_user_id, case_id FROM delivery WHERE assignee_user_id IS NOT NULL
UNION
SELECT a.performed_by_user_id, d.case_id FROM delivery_attempt AS a JOIN delivery AS d ON d.id = a.delivery_id
WHERE a.performed_by_user_id IS NOT NULL
"""
# name, table, columns, partial-index condition
INDEXES: tuple[tuple[str, str, list[str], str | None], ...] = (
    (
        "ix_delivery_call_queue",
        "delivery",
        ["deadline", "hearing_at", "case_priority", "id"],
        "in_call_queue",
    ),
    ("ix_case_worker_case_id", "case_worker", ["case_id"], None),
    ("ix_desk_callback_open", "desk_callback", ["delivery_id"], "done_at IS NULL"),
)


def upgrade() -> None:
    op.add_column(
        "delivery", sa.Column("in_call_queue", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.add_column(
        "delivery", sa.Column("hearing_at", backend.database.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column("delivery", sa.Column("case_priority", sa.SmallInteger(), nullable=True))
    op.create_table(
        "case_worker",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_worker_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_case_worker_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "case_id", name=op.f("pk_case_worker")),
    )
    op.create_table(
        "call_queue_tally",
        sa.Column("agent_group", sa.String(length=50), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("deliveries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agent_group", "deadline", name=op.f("pk_call_queue_tally")),
    )
    for statement in (FILL_DELIVERIES, FILL_TALLY, FILL_WORKERS):
        op.execute(statement)
    postgresql = op.get_context().dialect.name == "postgresql"
    if not postgresql:
        for name, table, columns, where in INDEXES:
            op.create_index(name, table, columns, sqlite_where=sa.text(where) if where else None)
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
    for name, table, _columns, _where in INDEXES:
        if postgresql:
            with op.get_context().autocommit_block():
                op.drop_index(name, table_name=table, postgresql_concurrently=True, if_exists=True)
        else:
            op.drop_index(name, table_name=table)
    op.drop_table("call_queue_tally")
    op.drop_table("case_worker")
    with op.batch_alter_table("delivery") as batch:
        batch.drop_column("case_priority")
        batch.drop_column("hearing_at")
        batch.drop_column("in_call_queue")
