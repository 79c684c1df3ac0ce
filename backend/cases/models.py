from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Computed, ForeignKey, String, text
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
