"""hearings (courtroom, length, index) and 待核实 fields of imported records; valid-cases-only imports

Revision ID: a7c3e9d1b5f2
Revises: f5a1c3e7b9d2
Create Date: 2026-12-06 19:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c3e9d1b5f2"
down_revision: str | None = "f5a1c3e7b9d2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
EMPTY = sa.text("'{}'")


def upgrade() -> None:
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("courtroom", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("hearing_minutes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("unverified_fields", sa.JSON(), server_default=EMPTY, nullable=False))
        batch.create_index(batch.f("ix_case_hearing_at"), ["hearing_at"], unique=False)
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("unverified_fields", sa.JSON(), server_default=EMPTY, nullable=False))
    with op.batch_alter_table("import_job") as batch:
        batch.add_column(
            sa.Column("valid_cases_only", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("import_job") as batch:
        batch.drop_column("valid_cases_only")
    with op.batch_alter_table("party") as batch:
        batch.drop_column("unverified_fields")
    with op.batch_alter_table("case") as batch:
        batch.drop_index(batch.f("ix_case_hearing_at"))
        batch.drop_column("unverified_fields")
        batch.drop_column("hearing_minutes")
        batch.drop_column("courtroom")
