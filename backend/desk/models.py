"""Desk state: who is available, which task is locked to whom, court pickup windows and slots,
callbacks due, and the SMS outbox (sent by the SMS gateway, another component)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base, enum_column, utcnow
from backend.desk.enums import CallbackKind, PresenceState, SmsStatus


class AgentPresence(Base):
    """An agent's current state and since when (the UI computes time in state from `since`)."""

    __tablename__ = "agent_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[PresenceState] = mapped_column(enum_column(PresenceState), default=PresenceState.offline)
    reason: Mapped[str | None] = mapped_column(String(100))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    wrap_up_until: Mapped[datetime | None]
    call_id: Mapped[str | None] = mapped_column(String(32))  # the desk call that rang / is talking
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TaskLock(Base):
    """A delivery offered to one agent; unique on both sides, so a task is never offered twice."""

    __tablename__ = "task_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class PickupWindow(Base):
    """A service window at the court where parties collect documents (来院领取)."""

    __tablename__ = "pickup_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_id: Mapped[int | None] = mapped_column(ForeignKey("court.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    location: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PickupSlot(Base):
    """A time slot at a window with a capacity; `booked` only grows through a guarded UPDATE."""

    __tablename__ = "pickup_slot"
    __table_args__ = (
        UniqueConstraint("window_id", "starts_at"),
        CheckConstraint("booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("pickup_window.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    window: Mapped[PickupWindow] = relationship()


class PickupBooking(Base):
    """One party's appointment in a slot, with the planned pickup attempt it created."""

    __tablename__ = "pickup_booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("pickup_slot.id"), index=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_attempt.id"))
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"))
    booked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]

    slot: Mapped[PickupSlot] = relationship()


class Callback(Base):
    """A call due on a delivery: asked for by the party, or a retry after no answer/busy/wrong number."""

    __tablename__ = "desk_callback"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CallbackKind] = mapped_column(enum_column(CallbackKind))
    due_at: Mapped[datetime] = mapped_column(index=True)
    contact_point_id: Mapped[int | None] = mapped_column(ForeignKey("contact_point.id"))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("delivery_attempt.id"))
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]


class SmsOutbox(Base):
    """A text message waiting for the SMS gateway (12368); the desk only queues it."""

    __tablename__ = "sms_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_number: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(50))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"))
    status: Mapped[SmsStatus] = mapped_column(enum_column(SmsStatus), default=SmsStatus.queued, index=True)
    error: Mapped[str | None] = mapped_column(String(300))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
