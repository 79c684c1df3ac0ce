"""The cases page's search: a computed, indexed case number key (brackets folded) and phone values indexed.

Revision ID: a9d4b2c6e8f1
Revises: a7c3e9d1b5f2
Create Date: 2026-12-06 19:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a9d4b2c6e8f1"
down_revision: str | None = "a7c3e9d1b5f2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_SQL = (
    "replace(replace(replace(replace(replace(case_number, '（', '('), '）', ')'), '〔', '('), '〕', ')'),"
    " ' ', '')"
)
PHONE = "kind = 'phone'"


def upgrade() -> None:
    # SQLite adds a computed column only as VIRTUAL (still indexable); PostgreSQL stores it.
    stored = op.get_context().dialect.name == "postgresql"
    computed = sa.Computed(KEY_SQL, persisted=stored)
    op.add_column("case", sa.Column("case_number_key", sa.String(64), computed, nullable=True))
    op.create_index("ix_case_case_number_key", "case", ["case_number_key"])
    op.create_index(
        "ix_contact_point_phone_value",
        "contact_point",
        ["value"],
        postgresql_where=sa.text(PHONE),
        sqlite_where=sa.text(PHONE),
    )


def downgrade() -> None:
    op.drop_index("ix_contact_point_phone_value", table_name="contact_point")
    op.drop_index("ix_case_case_number_key", table_name="case")
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("case_number_key")
