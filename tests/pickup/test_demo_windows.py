"""The demo's windows: a month of weekday slots with holidays closed, and today's appointments booked, so
the desk's 「来院领取」 offers slots and the window screen has a day to work."""

from collections.abc import Callable
from datetime import date, datetime, time

from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.courts.models import Court
from backend.demo import windows as demo_windows
from backend.pickup import service
from backend.pickup.models import PickupBooking, PickupSlot
from tests.api.conftest import World

MONDAY = date(2026, 12, 28)  # the month runs into 元旦 (2027-01-01, closed)


def test_the_demo_opens_a_month_of_slots_and_books_today(
    world: World, make_user: Callable[..., User]
) -> None:
    booker = make_user(Role.supervisor)
    with database.get_session() as session:
        court = session.get_one(Court, world.court_id)
        windows = demo_windows.ensure_windows(db_session=session, court=court, today=MONDAY)
        assert len(windows) == 3
        assert demo_windows.ensure_windows(db_session=session, court=court, today=MONDAY) == windows
        slots = session.scalars(select(PickupSlot)).all()
        days = {slot.starts_at.astimezone(BEIJING).date() for slot in slots}
        assert date(2027, 1, 1) not in days and date(2027, 1, 2) not in days and MONDAY in days
        assert len(days) == 21 and len(slots) == 21 * 3 * 13
        booked = demo_windows.book_today(
            db_session=session,
            court=court,
            today=MONDAY,
            booker=session.get_one(User, booker.id),
            now=datetime.combine(MONDAY, time(8), tzinfo=BEIJING),
        )
        assert booked == 1  # the world's one pending delivery to a person with an ID number
        booking = session.scalars(select(PickupBooking)).one()
        assert booking.delivery_id == world.delivery_id and booking.code is not None
        assert len(service.slots_on(db_session=session, day=MONDAY)) == 3 * 13
