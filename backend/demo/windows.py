"""The demo's court windows: three windows with weekday templates, the public holidays closed, a month of
slots from today, and a few of today's appointments booked so the window screen has a day to work."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.courts.models import Court
from backend.deliveries.enums import AttemptStatus, DeliveryStatus
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.parties.enums import PartyType
from backend.parties.models import Party
from backend.pickup import service, templates
from backend.pickup.models import PickupBooking, PickupWindow

WINDOWS = (
    ("诉讼服务中心 2 号窗口", "诉讼服务中心一层东侧", 4),
    ("诉讼服务中心 3 号窗口", "诉讼服务中心一层东侧", 4),
    ("诉讼服务中心 5 号窗口（律师专窗）", "诉讼服务中心一层西侧", 3),
)
OPENING = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 0)))
WEEKDAYS = [1, 2, 3, 4, 5]
SLOT_DAYS = 30
TODAYS_BOOKINGS = 8
# 法定节假日 the windows are closed (2026-2027, the State Council's published dates).
HOLIDAYS = {
    date(2026, 10, 1): "国庆节",
    date(2026, 10, 2): "国庆节",
    date(2026, 10, 5): "国庆节",
    date(2026, 10, 6): "国庆节",
    date(2026, 10, 7): "国庆节",
    date(2027, 1, 1): "元旦",
    date(2027, 2, 8): "春节",
    date(2027, 2, 9): "春节",
    date(2027, 2, 10): "春节",
    date(2027, 2, 11): "春节",
    date(2027, 2, 12): "春节",
}


def ensure_windows(*, db_session: Session, court: Court, today: date) -> list[PickupWindow]:
    """The court's demo windows with their templates and a month of slots (created once)."""
    windows = list(db_session.scalars(select(PickupWindow).where(PickupWindow.court_id == court.id)))
    if windows:
        return windows
    for day, name in HOLIDAYS.items():
        templates.add_holiday(db_session=db_session, day=day, name=name)
    for name, location, capacity in WINDOWS:
        window = service.create_window(db_session=db_session, name=name, location=location, court_id=court.id)
        for start, end in OPENING:
            templates.add_template(
                db_session=db_session,
                window=window,
                weekdays=WEEKDAYS,
                start=start,
                end=end,
                slot_minutes=30,
                capacity=capacity,
            )
        templates.generate_slots(db_session=db_session, window=window, first=today, days=SLOT_DAYS)
        windows.append(window)
    return windows


def book_today(*, db_session: Session, court: Court, today: date, booker: User, now: datetime) -> int:
    """Book a few pending deliveries of people into today's slots (by their assigned agent, else BOOKER)."""
    if db_session.scalar(select(exists().where(PickupBooking.id.is_not(None)))):
        return 0
    slots = [
        slot
        for slot in service.slots_on(db_session=db_session, day=today)
        if slot.window.court_id == court.id
    ]
    if not slots:
        return 0
    open_attempt = exists().where(
        DeliveryAttempt.delivery_id == Delivery.id,
        DeliveryAttempt.status.in_([AttemptStatus.planned, AttemptStatus.in_progress]),
    )
    query = (
        select(Delivery)
        .join(Party, Party.id == Delivery.party_id)
        .where(
            Delivery.status == DeliveryStatus.pending,
            Party.party_type == PartyType.natural_person,
            Party.id_number.is_not(None),
            Delivery.case.has(court_id=court.id),
            ~open_attempt,
        )
        .order_by(Delivery.id)
        .limit(TODAYS_BOOKINGS)
    )
    booked = 0
    for index, delivery in enumerate(db_session.scalars(query)):
        slot = slots[(index * 3) % len(slots)]
        moment = min(now, slot.starts_at - timedelta(hours=1))
        assignee = db_session.get(User, delivery.assignee_user_id) if delivery.assignee_user_id else None
        service.book_and_plan(
            db_session=db_session, actor=assignee or booker, delivery=delivery, slot_id=slot.id, now=moment
        )
        booked += 1
    return booked
