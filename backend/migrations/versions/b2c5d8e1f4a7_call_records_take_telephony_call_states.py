"""call records take telephony's call states

Revision ID: b2c5d8e1f4a7
Revises: c4d1e2f3a5b6
Create Date: 2026-12-06 16:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "b2c5d8e1f4a7"
down_revision: str | None = "c4d1e2f3a5b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # One state machine for a call (telephony/states.py): the record's "requested" is its "originating".
    op.execute("UPDATE call_record SET status = 'originating' WHERE status = 'requested'")


def downgrade() -> None:
    op.execute("UPDATE call_record SET status = 'requested' WHERE status = 'originating'")
    op.execute("UPDATE call_record SET status = 'agent_connected' WHERE status = 'party_dialling'")
