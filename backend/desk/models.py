"""Desk state: who is available, which task is locked to whom, and the callbacks due."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from backend.database import Base, enum_column, utcnow
from backend.desk.enums import CallbackKind, PresenceState


class AgentPresence(Base):
    """An agent's current state and since when (the UI computes time in state from `since`)."""

    __tablename__ = "agent_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[PresenceState] = mapped_column(enum_column(PresenceState), default=PresenceState.offline)
    reason: Mapped[str | None] = mapped_column(String(100))
    since: Mapped[datetime] = mapped_column(default=utcnow)
    wrap_up_until: Mapped[datetime | None]
    call_id: Mapped[str | None] = mapped_column(String(32))  # the desk call that rang / is talking
    # The last moment a desk socket of the agent was open in any API process (each hub marks its own
    # every few seconds): when the last one closes, presence goes offline (agent_desk/hub.py).
    desk_seen_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TaskLock(Base):
    """A delivery offered to one agent; unique on both sides, so a task is never offered twice."""

    __tablename__ = "task_lock"

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), unique=True)
    locked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


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

    __table_args__ = (
        # The queue and the wall look up open callbacks only; done ones pile up with the history.
        Index(
            "ix_desk_callback_open",
            "delivery_id",
            postgresql_where=text("done_at IS NULL"),
            sqlite_where=text("done_at IS NULL"),
        ),
    )
