"""The day-before reminder SMS with the party's link, and the link itself: see, move (the old place is
freed) or cancel (freed, and another method planned within 24 hours); a wrong link finds nothing."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING, court_today
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.messaging.models import SmsOutbox
from backend.messaging.reminders import PICKUP_REMINDER, queue_pickup_reminders
from backend.pickup import appointments, service
from backend.pickup.models import PickupBooking, PickupSlot
from tests.api.conftest import World

DAY = date(2031, 3, 4)


def _book(world: World, agent: User, day: date, now: datetime) -> tuple[int, list[int]]:
    with database.get_session() as session:
        window = service.create_window(db_session=session, name="2 号窗口", court_id=world.court_id)
        slots = []
        for offset in (0, 1):
            slots += service.add_slots(
                db_session=session, window=window, day=day + timedelta(days=offset), start=time(9),
                end=time(10), minutes=30, capacity=1,
            )  # fmt: skip
        booking = service.book_and_plan(
            db_session=session,
            actor=session.get_one(User, agent.id),
            delivery=session.get_one(Delivery, world.delivery_id),
            slot_id=slots[0].id,
            now=now,
        )
        return booking.id, [slot.id for slot in slots]


def test_tomorrows_appointments_are_reminded_once_from_nine_with_the_link(
    world: World, make_user: Callable[..., User]
) -> None:
    booking_id, _ = _book(
        world, make_user(Role.agent), DAY, datetime.combine(DAY - timedelta(days=3), time(10), BEIJING)
    )
    early = datetime.combine(DAY - timedelta(days=1), time(8, 30), BEIJING)
    with database.get_session() as session:
        assert queue_pickup_reminders(db_session=session, now=early) == []
    with database.get_session() as session:
        [sms_id] = queue_pickup_reminders(db_session=session, now=early + timedelta(hours=1))
    with database.get_session() as session:
        assert queue_pickup_reminders(db_session=session, now=early + timedelta(hours=2)) == []
        sms = session.get_one(SmsOutbox, sms_id)
        booking = session.get_one(PickupBooking, booking_id)
        assert sms.purpose == PICKUP_REMINDER and sms.to_number == "13800138000"
        assert "明天2031年03月04日 09:00-09:30" in sms.text and f"预约码{booking.code}" in sms.text
        assert f"/appointment?t={appointments.manage_token(booking)}" in sms.text


def test_the_party_moves_then_cancels_from_the_link(
    client: TestClient, world: World, make_user: Callable[..., User]
) -> None:
    tomorrow = court_today() + timedelta(days=1)
    booking_id, slot_ids = _book(world, make_user(Role.agent), tomorrow, datetime.now(BEIJING))
    with database.get_session() as session:
        token = appointments.manage_token(session.get_one(PickupBooking, booking_id))
    assert client.get(f"/api/pickup/appointments/{booking_id}.{'0' * 32}").status_code == 404
    assert client.get("/api/pickup/appointments/not-a-link").status_code == 404

    shown = client.get(f"/api/pickup/appointments/{token}")
    assert shown.status_code == 200 and shown.json()["can_change"] is True
    assert slot_ids[-1] in [slot["id"] for slot in shown.json()["free_slots"]]
    moved = client.post(f"/api/pickup/appointments/{token}/rebook", json={"slot_id": slot_ids[-1]})
    assert moved.status_code == 200, moved.text
    new_token = moved.json()["token"]
    assert new_token != token and moved.json()["starts_at"][:10] == str(tomorrow + timedelta(days=1))
    old = client.get(f"/api/pickup/appointments/{token}").json()
    assert old["status"] == "cancelled" and old["can_change"] is False
    assert client.post(f"/api/pickup/appointments/{token}/cancel").status_code == 409

    cancelled = client.post(f"/api/pickup/appointments/{new_token}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    with database.get_session() as session:
        assert [session.get_one(PickupSlot, slot_id).booked for slot_id in slot_ids] == [0, 0, 0, 0]
        attempts = session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == world.delivery_id)
            .order_by(DeliveryAttempt.id)
        ).all()
        assert [a.status for a in attempts[:2]] == [AttemptStatus.cancelled, AttemptStatus.cancelled]
        [planned] = attempts[2:]
        assert planned.status is AttemptStatus.planned and planned.method is not DeliveryMethod.pickup
        assert planned.start_by is not None and planned.start_by <= datetime.now(BEIJING) + timedelta(
            hours=24
        )
