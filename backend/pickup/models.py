"""Court pickup windows, their time slots and the parties' bookings (来院领取)."""

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.database import Base, enum_column, utcnow
from backend.pickup.enums import BookingStatus

if TYPE_CHECKING:
    from backend.deliveries.models import Delivery


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
    # The appointment code the party is sent by SMS and shows at the window.
    code: Mapped[str | None] = mapped_column(String(12), unique=True)
    status: Mapped[BookingStatus] = mapped_column(
        enum_column(BookingStatus), default=BookingStatus.booked, index=True
    )
    checked_in_at: Mapped[datetime | None]
    checked_in_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reminded_at: Mapped[datetime | None]

    slot: Mapped[PickupSlot] = relationship()
    delivery: Mapped["Delivery"] = relationship()


class PickupTemplate(Base):
    """A window's weekly opening pattern: on these weekdays, slots of SLOT_MINUTES from START to END."""

    __tablename__ = "pickup_template"
    __table_args__ = (CheckConstraint("slot_minutes > 0 AND capacity > 0", name="positive_slots"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    window_id: Mapped[int] = mapped_column(ForeignKey("pickup_window.id", ondelete="CASCADE"), index=True)
    weekdays: Mapped[str] = mapped_column(String(20))  # ISO weekdays, e.g. "1,2,3,4,5"
    start: Mapped[time]
    end: Mapped[time]
    slot_minutes: Mapped[int]
    capacity: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PickupHoliday(Base):
    """A day the court's windows are closed (public holidays): no slots are generated on it."""

    __tablename__ = "pickup_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(50))
