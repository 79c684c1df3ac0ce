from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Computed, Connection, ForeignKey, Index, String, Table, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.cases.enums import CaseType
from backend.database import Base, enum_column, utcnow

if TYPE_CHECKING:
    from backend.courts.models import Court
    from backend.deliveries.models import Delivery
    from backend.documents.models import Document
    from backend.parties.models import Party


# The searchable form of a case number, computed by the database (so bulk loads get it too): full-width
# and tortoise-shell brackets as half-width ones, without spaces. cases.service.case_number_key is the same
# rule for the query.
CASE_NUMBER_KEY_SQL = (
    "replace(replace(replace(replace(replace(case_number, '（', '('), '）', ')'), '〔', '('), '〕', ')'),"
    " ' ', '')"
)


class Case(Base):
    """A lawsuit (案件) identified by its case number (案号)."""

    __tablename__ = "case"
    __table_args__ = (
        # Any part of a case number (民初99001) is looked for inside the keys: a trigram index answers that
        # LIKE on PostgreSQL (pg_trgm, in the public schema); SQLite scans its few cases.
        Index(
            "ix_case_case_number_key_trigram",
            "case_number_key",
            postgresql_using="gin",
            postgresql_ops={"case_number_key": "public.gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("court.id"), index=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    case_number_key: Mapped[str] = mapped_column(
        String(64), Computed(CASE_NUMBER_KEY_SQL, persisted=True), nullable=True, index=True
    )
    cause: Mapped[str] = mapped_column(String(200))
    case_type: Mapped[CaseType] = mapped_column(enum_column(CaseType), index=True)
    filed_on: Mapped[date]
    judge_name: Mapped[str | None] = mapped_column(String(50))
    clerk_name: Mapped[str | None] = mapped_column(String(50))
    hearing_at: Mapped[datetime | None] = mapped_column(index=True)
    courtroom: Mapped[str | None] = mapped_column(String(50))  # 法庭, as the court names it
    hearing_minutes: Mapped[int | None]  # how long the courtroom is booked; None: the default length
    service_deadline: Mapped[date | None] = mapped_column(index=True)
    # 待核实: field name -> why, for values imported with a warning (a past deadline, an unreadable hearing)
    unverified_fields: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    court: Mapped["Court"] = relationship()
    parties: Mapped[list["Party"]] = relationship(back_populates="case", order_by="Party.id")
    documents: Mapped[list["Document"]] = relationship(back_populates="case", order_by="Document.id")
    deliveries: Mapped[list["Delivery"]] = relationship(back_populates="case", order_by="Delivery.id")


@event.listens_for(Case.__table__, "before_create")
def _have_pg_trgm(_table: Table, connection: Connection, **_kw: object) -> None:
    """The trigram index needs pg_trgm (in public, as its migration puts it) where the tables are made
    without migrations (tests, benchmarks); another session creating it meanwhile is as good."""
    if connection.dialect.name != "postgresql":
        return
    try:
        with connection.begin_nested():
            connection.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except DBAPIError:
        present = connection.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if present.scalar() is None:
            raise
