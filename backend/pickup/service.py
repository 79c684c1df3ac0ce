"""Court pickup windows and their time slots; booking never exceeds a slot's capacity, even when
several agents book the last place at once (a guarded UPDATE counts the booking)."""

import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.core.clock import BEIJING, beijing_day_start
from backend.core.errors import InvalidRequest, NotVisible, RuleViolation
from backend.deliveries import attempts as attempt_service
from backend.deliveries import planning
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking, PickupSlot, PickupWindow

CODE_DIGITS = 6


class SlotFull(RuleViolation):
    """No place left in the slot."""


def create_window(
    *, db_session: Session, name: str, location: str | None = None, court_id: int | None = None
) -> PickupWindow:
    window = PickupWindow(name=name.strip(), location=location, court_id=court_id)
    db_session.add(window)
    db_session.flush()
    return window


def list_windows(*, db_session: Session) -> list[PickupWindow]:
    return list(db_session.scalars(select(PickupWindow).order_by(PickupWindow.id)))


def add_slots(
    *,
    db_session: Session,
    window: PickupWindow,
    day: date,
    start: time,
    end: time,
    minutes: int,
    capacity: int,
) -> list[PickupSlot]:
    """Slots of MINUTES between START and END (court time) on DAY; existing slots are kept as they are."""
    if minutes <= 0 or capacity <= 0:
        raise InvalidRequest("时段长度和容量须为正数")
    begin = datetime.combine(day, start, tzinfo=BEIJING).astimezone(UTC)
    finish = datetime.combine(day, end, tzinfo=BEIJING).astimezone(UTC)
    taken = set(
        db_session.scalars(
            select(PickupSlot.starts_at).where(
                PickupSlot.window_id == window.id,
                PickupSlot.starts_at >= begin,
                PickupSlot.starts_at < finish,
            )
        )
    )
    created = []
    step = timedelta(minutes=minutes)
    while begin + step <= finish:
        if begin not in taken:
            slot = PickupSlot(window_id=window.id, starts_at=begin, ends_at=begin + step, capacity=capacity)
            db_session.add(slot)
            created.append(slot)
        begin += step
    db_session.flush()
    return created


def slots_on(*, db_session: Session, day: date) -> list[PickupSlot]:
    """The slots of active windows on DAY (court time), by time then window."""
    query = (
        select(PickupSlot)
        .join(PickupWindow, PickupWindow.id == PickupSlot.window_id)
        .where(
            PickupWindow.is_active,
            PickupSlot.starts_at >= beijing_day_start(day),
            PickupSlot.starts_at < beijing_day_start(day + timedelta(days=1)),
        )
        .options(selectinload(PickupSlot.window))
        .order_by(PickupSlot.starts_at, PickupSlot.window_id)
    )
    return list(db_session.scalars(query))


def book(
    *, db_session: Session, actor: User | None, delivery: Delivery, slot_id: int, now: datetime
) -> PickupBooking:
    """Take one place in the slot for the delivery's party; SlotFull when none is left."""
    slot = db_session.get(PickupSlot, slot_id)
    if slot is None or not slot.window.is_active:
        raise NotVisible("预约时段")
    if slot.starts_at <= now:
        raise RuleViolation("该时段已过，请选择其他时段")
    if slot.window.court_id is not None and slot.window.court_id != delivery.case.court_id:
        raise InvalidRequest("该窗口不属于本案法院")
    counted = db_session.execute(
        update(PickupSlot)
        .where(PickupSlot.id == slot_id, PickupSlot.booked < PickupSlot.capacity)
        .values(booked=PickupSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount != 1:  # type: ignore[attr-defined]
        raise SlotFull("该时段已约满，请选择其他时段")
    db_session.refresh(slot)
    booking = PickupBooking(
        slot_id=slot.id,
        delivery_id=delivery.id,
        party_id=delivery.party_id,
        booked_by_user_id=actor.id if actor else None,
        code=new_code(db_session=db_session),
    )
    db_session.add(booking)
    db_session.flush()
    return booking


def book_and_plan(
    *, db_session: Session, actor: User | None, delivery: Delivery, slot_id: int, now: datetime
) -> PickupBooking:
    """Book the slot and plan the pickup attempt for its appointment."""
    booking = book(db_session=db_session, actor=actor, delivery=delivery, slot_id=slot_id, now=now)
    slot = booking.slot
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.pickup,
        planned_at=slot.starts_at,
        notes=f"预约{slot.window.name} {local_span(slot)}",
    )
    booking.attempt_id = planned.id
    return booking


def local_span(slot: PickupSlot) -> str:
    """e.g. 2026年03月02日 09:00-09:30 (court time)."""
    start, end = slot.starts_at.astimezone(BEIJING), slot.ends_at.astimezone(BEIJING)
    return f"{start:%Y年%m月%d日 %H:%M}-{end:%H:%M}"


def new_code(*, db_session: Session) -> str:
    """A fresh appointment code (6 digits) for the SMS and the window."""
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        if db_session.scalar(select(PickupBooking.id).where(PickupBooking.code == code)) is None:
            return code


def cancel_booking(
    *, db_session: Session, actor: User | None, booking: PickupBooking, now: datetime
) -> PickupBooking:
    """Cancel a booking not yet attended: its place in the slot is freed and its planned attempt cancelled."""
    if booking.status is not BookingStatus.booked:
        raise RuleViolation("该预约已签到、已领取或已取消，不能取消")
    db_session.execute(
        update(PickupSlot)
        .where(PickupSlot.id == booking.slot_id, PickupSlot.booked > 0)
        .values(booked=PickupSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    db_session.refresh(booking.slot)
    booking.status = BookingStatus.cancelled
    booking.cancelled_at = now
    attempt = db_session.get(DeliveryAttempt, booking.attempt_id) if booking.attempt_id else None
    if attempt is not None and attempt.status is AttemptStatus.planned:
        previous = attempt.status
        attempt.transition(AttemptStatus.cancelled)
        attempt.ended_at = now
        attempt_service.audit_transition(
            db_session=db_session, actor=actor, attempt=attempt, previous=previous
        )
    db_session.flush()
    return booking


def cancel_and_plan_next(
    *, db_session: Session, actor: User | None, booking: PickupBooking, now: datetime
) -> PickupBooking:
    """Cancel the booking (the party, or staff for them): the place is freed and the router plans the next
    method within 24 hours."""
    cancel_booking(db_session=db_session, actor=actor, booking=booking, now=now)
    attempt = db_session.get(DeliveryAttempt, booking.attempt_id) if booking.attempt_id else None
    if attempt is not None:
        planning.plan_after_failure(db_session=db_session, actor=actor, failed=attempt, now=now)
    return booking


def rebook(
    *, db_session: Session, actor: User | None, booking: PickupBooking, slot_id: int, now: datetime
) -> PickupBooking:
    """Move an unattended booking to another slot: the old place is freed, a new booking planned."""
    delivery = db_session.get(Delivery, booking.delivery_id)
    assert delivery is not None
    cancel_booking(db_session=db_session, actor=actor, booking=booking, now=now)
    return book_and_plan(db_session=db_session, actor=actor, delivery=delivery, slot_id=slot_id, now=now)


def court_day_bounds(day: date) -> tuple[datetime, datetime]:
    return beijing_day_start(day), beijing_day_start(day + timedelta(days=1))


def bookings_on(*, db_session: Session, day: date, court_id: int | None) -> list[PickupBooking]:
    """The bookings in slots on DAY (court time) at the windows of COURT_ID (None: every court)."""
    first, after = court_day_bounds(day)
    query = (
        select(PickupBooking)
        .join(PickupSlot, PickupSlot.id == PickupBooking.slot_id)
        .join(PickupWindow, PickupWindow.id == PickupSlot.window_id)
        .join(Delivery, Delivery.id == PickupBooking.delivery_id)
        .where(PickupSlot.starts_at >= first, PickupSlot.starts_at < after)
        .options(selectinload(PickupBooking.slot).selectinload(PickupSlot.window))
        .order_by(PickupSlot.starts_at, PickupSlot.window_id, PickupBooking.id)
    )
    if court_id is not None:
        query = query.where(Delivery.case.has(court_id=court_id))
    return list(db_session.scalars(query))
