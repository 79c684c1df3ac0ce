"""No-shows with a controlled clock: at the end of the slot's day an unattended booking becomes a failed
attempt (no_show) and the router plans the next method within 24 hours; attended or later ones are left."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN
from backend.pickup import service
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking
from backend.pickup.no_shows import mark_no_shows
from tests.api.conftest import World

DAY = date(2031, 3, 4)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BEIJING)


def test_an_unattended_booking_fails_at_the_days_end_and_the_next_method_is_planned_within_24_hours(
    world: World, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent)
    with database.get_session() as session:
        window = service.create_window(db_session=session, name="2 号窗口", court_id=world.court_id)
        slots = service.add_slots(
            db_session=session, window=window, day=DAY, start=time(9), end=time(10), minutes=30, capacity=3
        )
        tomorrow = service.add_slots(
            db_session=session, window=window, day=DAY + timedelta(days=1), start=time(9), end=time(10),
            minutes=30, capacity=3,
        )  # fmt: skip
        actor = session.get_one(User, agent.id)
        delivery = session.get_one(Delivery, world.delivery_id)
        missed = service.book_and_plan(
            db_session=session, actor=actor, delivery=delivery, slot_id=slots[1].id, now=_at(DAY, 8)
        )
        later = service.book_and_plan(
            db_session=session,
            actor=actor,
            delivery=session.get_one(Delivery, world.overdue_delivery_id),
            slot_id=tomorrow[0].id,
            now=_at(DAY, 8),
        )
        missed_id, later_id = missed.id, later.id

    with database.get_session() as session:  # during the day nothing happens
        assert mark_no_shows(db_session=session, now=_at(DAY, 23, 50)) == []
    end_of_day = _at(DAY + timedelta(days=1), 0, 5)
    with database.get_session() as session:
        assert mark_no_shows(db_session=session, now=end_of_day) == [missed_id]
    with database.get_session() as session:
        booking = session.get_one(PickupBooking, missed_id)
        assert booking.status is BookingStatus.no_show
        assert session.get_one(PickupBooking, later_id).status is BookingStatus.booked
        attempts = session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == world.delivery_id)
            .order_by(DeliveryAttempt.id)
        ).all()
        failed, planned = attempts
        assert failed.id == booking.attempt_id and failed.status is AttemptStatus.failed
        assert failed.outcome is AttemptOutcome.no_show and failed.method is DeliveryMethod.pickup
        assert planned.status is AttemptStatus.planned and planned.method is not DeliveryMethod.pickup
        assert planned.start_by is not None and planned.start_by <= end_of_day + SWITCH_WITHIN
        assert "来院领取未能送达" in (planned.notes or "")
    with database.get_session() as session:  # a second pass changes nothing
        assert mark_no_shows(db_session=session, now=end_of_day + timedelta(minutes=15)) == []
