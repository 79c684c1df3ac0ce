from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base, enum_column, utcnow
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.state import check_attempt_transition, check_delivery_transition

if TYPE_CHECKING:
    from backend.cases.models import Case
    from backend.documents.models import Document
    from backend.evidence.models import Evidence
    from backend.parties.models import Party

delivery_document = Table(
    "delivery_document",
    Base.metadata,
    Column("delivery_id", ForeignKey("delivery.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("document.id", ondelete="CASCADE"), primary_key=True),
)

attempt_evidence = Table(
    "attempt_evidence",
    Base.metadata,
    Column("attempt_id", ForeignKey("delivery_attempt.id", ondelete="CASCADE"), primary_key=True),
    Column("evidence_id", ForeignKey("evidence.id"), primary_key=True),
)


class Delivery(Base):
    """Serving a set of documents of one case on one party (送达任务): one deadline, one outcome."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        enum_column(DeliveryStatus), default=DeliveryStatus.pending, index=True
    )
    # active_history: the call queue's tally (deliveries.upkeep) moves a delivery from its old key
    deadline: Mapped[date | None] = mapped_column(index=True, active_history=True)
    agent_group: Mapped[str | None] = mapped_column(String(50), index=True, active_history=True)
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    served_method: Mapped[DeliveryMethod | None] = mapped_column(enum_column(DeliveryMethod))
    served_at: Mapped[datetime | None]
    legal_service_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Kept by deliveries.upkeep in the flush that changes what they derive from (never set by hand): the
    # call queue ranks and counts on these, so it reads open work, not the history.
    in_call_queue: Mapped[bool] = mapped_column(default=False, server_default=false())  # see upkeep
    hearing_at: Mapped[datetime | None]  # the case's hearing
    case_priority: Mapped[int | None] = mapped_column(SmallInteger)  # cases.enums.CASE_TYPE_PRIORITY

    case: Mapped["Case"] = relationship(back_populates="deliveries")
    party: Mapped["Party"] = relationship()
    documents: Mapped[list["Document"]] = relationship(secondary=delivery_document, order_by="Document.id")
    attempts: Mapped[list["DeliveryAttempt"]] = relationship(
        back_populates="delivery", order_by="DeliveryAttempt.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        # Lists and queues of open work walk this in deadline order; closed history never enters it.
        Index(
            "ix_delivery_open_deadline",
            "deadline",
            "id",
            postgresql_where=text("status IN ('pending', 'in_progress', 'unservable')"),
            sqlite_where=text("status IN ('pending', 'in_progress', 'unservable')"),
        ),
        Index("ix_delivery_assignee_case", "assignee_user_id", "case_id"),  # an agent's scope
        # The call queue, walked in its order; only deliveries waiting for a call enter it.
        Index(
            "ix_delivery_call_queue",
            "deadline",
            "hearing_at",
            "case_priority",
            "id",
            postgresql_where=text("in_call_queue"),
            sqlite_where=text("in_call_queue"),
        ),
    )

    def transition(self, target: DeliveryStatus) -> None:
        """Move to TARGET or raise IllegalTransition."""
        check_delivery_transition(self.status, target)
        self.status = target


class CaseWorker(Base):
    """An agent or field officer who may see a case: a delivery of it is assigned to them or they performed
    an attempt on it (cases.access's rule, kept by deliveries.upkeep as those change, so the scope is one
    indexed probe)."""

    __tablename__ = "case_worker"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("case.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CallQueueTally(Base):
    """How many deliveries wait in the call queue per agent group ('' the shared pool) and deadline
    (NO_DEADLINE for none), kept by deliveries.upkeep: the wall sums these instead of counting the queue."""

    __tablename__ = "call_queue_tally"

    agent_group: Mapped[str] = mapped_column(String(50), primary_key=True)
    deadline: Mapped[date] = mapped_column(primary_key=True)
    deliveries: Mapped[int] = mapped_column(default=0)


class DeliveryAttempt(Base):
    """One try to serve a delivery by one method (送达尝试), with the evidence it rests on."""

    __tablename__ = "delivery_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    method: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod))
    status: Mapped[AttemptStatus] = mapped_column(
        enum_column(AttemptStatus), default=AttemptStatus.planned, index=True
    )
    outcome: Mapped[AttemptOutcome | None] = mapped_column(enum_column(AttemptOutcome))
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("contact_point.id"))
    performed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    planned_at: Mapped[datetime | None]
    # The 24-hour rule: the latest moment this attempt may start (set by the router after a failure).
    start_by: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    legal_service_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    delivery: Mapped[Delivery] = relationship(back_populates="attempts")
    evidence: Mapped[list["Evidence"]] = relationship(secondary=attempt_evidence, order_by="Evidence.id")
    facts: Mapped[list["AttemptFact"]] = relationship(
        back_populates="attempt", order_by="AttemptFact.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        Index("ix_delivery_attempt_performer_delivery", "performed_by_user_id", "delivery_id"),  # a scope
        # The router's periodic pass reads only planned attempts with a start-by (a small part of the table).
        Index(
            "ix_delivery_attempt_planned_start_by",
            "start_by",
            postgresql_where=text("status = 'planned' AND start_by IS NOT NULL"),
            sqlite_where=text("status = 'planned' AND start_by IS NOT NULL"),
        ),
    )

    def transition(self, target: AttemptStatus) -> None:
        """Move to TARGET or raise IllegalTransition."""
        check_attempt_transition(self.status, target)
        self.status = target


class AddressConfirmation(Base):
    """A party's confirmation of service addresses and consent to e-delivery (送达地址确认书)."""

    __tablename__ = "address_confirmation"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"))
    postal_address: Mapped[str | None] = mapped_column(String(300))
    mobile: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(200))
    consents_to_electronic: Mapped[bool] = mapped_column(default=False)
    obtained_via: Mapped[DeliveryMethod] = mapped_column(enum_column(DeliveryMethod))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttemptFact(Base):
    """One fact a proof of service states about an attempt, and the evidence item it rests on.

    Facts are written once by the attempt's channel (from a call record, a delivery report, a receipt...);
    an attempt succeeds only when every fact its method requires is here.
    """

    __tablename__ = "attempt_fact"
    __table_args__ = (UniqueConstraint("attempt_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("delivery_attempt.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    value: Mapped[str] = mapped_column(Text)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence.id"), index=True)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_by_system: Mapped[str | None] = mapped_column(String(50))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[DeliveryAttempt] = relationship(back_populates="facts")


class RouterAlert(Base):
    """A start-by that passed unmet (24-hour rule): raised once per attempt, shown on the wall and the API."""

    __tablename__ = "router_alert"
    __table_args__ = (UniqueConstraint("attempt_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("delivery_attempt.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    due_at: Mapped[datetime]
    raised_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    message: Mapped[str] = mapped_column(Text)
