from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base, enum_column, utcnow
from backend.postal.enums import BatchStatus, ItemStatus, TraceState

if TYPE_CHECKING:
    from backend.courts.models import Court


class PostalBatch(Base):
    """The day's EMS court mail of one sender office (the court), reviewed and confirmed by a clerk."""

    __tablename__ = "postal_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int] = mapped_column(ForeignKey("court.id"), index=True)
    day: Mapped[date] = mapped_column(index=True)
    status: Mapped[BatchStatus] = mapped_column(enum_column(BatchStatus), default=BatchStatus.draft)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    confirmed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]

    items: Mapped[list["PostalItem"]] = relationship(back_populates="batch", order_by="PostalItem.id")
    court: Mapped["Court"] = relationship()


class PostalItem(Base):
    """One letter: a postal attempt, the address it goes to, and its EMS order (waybill).

    `order_key` is fixed when the item is made and sent with the order: EMS answers a repeated key with
    the first order, so a crash between placing the order and saving its number never makes a second one.
    """

    __tablename__ = "postal_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("postal_batch.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("delivery_attempt.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    status: Mapped[ItemStatus] = mapped_column(enum_column(ItemStatus), default=ItemStatus.draft, index=True)
    order_key: Mapped[str] = mapped_column(String(40), unique=True)
    recipient_name: Mapped[str] = mapped_column(String(120))
    recipient_phone: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300))
    # The address was edited by the clerk and differs from the contact point the party confirmed.
    address_edited: Mapped[bool] = mapped_column(default=False)
    case_number: Mapped[str] = mapped_column(String(64))
    document_list: Mapped[str] = mapped_column(Text)
    waybill_no: Mapped[str | None] = mapped_column(String(40), unique=True)
    cost_fen: Mapped[int | None]
    ordered_at: Mapped[datetime | None] = mapped_column(index=True)
    last_event_at: Mapped[datetime | None]
    final_state: Mapped[TraceState | None] = mapped_column(enum_column(TraceState))
    final_at: Mapped[datetime | None]
    receipt_evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    batch: Mapped[PostalBatch] = relationship(back_populates="items")

    __table_args__ = (Index("ix_postal_item_open", "status", "last_event_at"),)


class TrackingEvent(Base):
    """One tracking event of a waybill, stored once however often it is pushed or polled."""

    __tablename__ = "postal_tracking_event"
    __table_args__ = (UniqueConstraint("item_id", "op_time", "op_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("postal_item.id", ondelete="CASCADE"), index=True)
    op_time: Mapped[datetime]
    op_code: Mapped[str] = mapped_column(String(20))
    state: Mapped[TraceState] = mapped_column(enum_column(TraceState))
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200))
    operator: Mapped[str | None] = mapped_column(String(100))
    signer: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PrinterProfile(Base):
    """A printer's offset for the pre-printed form, measured from its calibration sheet (millimetres)."""

    __tablename__ = "postal_printer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    offset_x_mm: Mapped[float] = mapped_column(default=0.0)
    offset_y_mm: Mapped[float] = mapped_column(default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
