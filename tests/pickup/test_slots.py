"""Slot templates and closed days generate the windows' slots; rebooking or cancelling frees the place."""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import BEIJING
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.pickup.models import PickupSlot
from tests.api.conftest import World
from tests.pickup.conftest import Window

UserFactory = Callable[..., tuple[User, dict[str, str]]]
MONDAY = date(2031, 3, 3)


def test_templates_open_the_weekdays_slots_and_skip_closed_days(
    client: TestClient, as_user: UserFactory
) -> None:
    _, staff = as_user(Role.supervisor)
    window = client.post("/api/wall/pickup-windows", json={"name": "3 号窗口"}, headers=staff).json()
    base = f"/api/wall/pickup-windows/{window['id']}"
    no_template = client.post(f"{base}/generate", json={"first": str(MONDAY), "days": 7}, headers=staff)
    assert no_template.status_code == 422 and "开放时间模板" in no_template.json()["detail"]
    morning = {
        "weekdays": [1, 2, 3, 4, 5],
        "start": "09:00",
        "end": "11:00",
        "slot_minutes": 30,
        "capacity": 4,
    }
    assert client.post(f"{base}/templates", json=morning, headers=staff).status_code == 201
    friday_afternoon = {"weekdays": [5], "start": "14:00", "end": "15:00", "slot_minutes": 60, "capacity": 2}
    assert client.post(f"{base}/templates", json=friday_afternoon, headers=staff).status_code == 201
    bad = client.post(f"{base}/templates", json=morning | {"weekdays": [8]}, headers=staff)
    assert bad.status_code == 422 and "周一至周日" in bad.json()["detail"]
    holiday = client.post(
        "/api/wall/pickup-holidays", json={"day": "2031-03-05", "name": "法院闭院日"}, headers=staff
    )
    assert holiday.status_code == 201

    slots = client.post(f"{base}/generate", json={"first": str(MONDAY), "days": 14}, headers=staff).json()
    days = sorted({slot["starts_at"][:10] for slot in slots})
    assert "2031-03-05" not in days and "2031-03-08" not in days and len(days) == 9  # 10 weekdays, 1 closed
    assert len(slots) == 9 * 4 + 2 * 1
    with database.get_session() as session:
        first = session.get_one(PickupSlot, slots[0]["id"])
        assert first.starts_at.astimezone(BEIJING).time() == time(9, 0) and first.capacity == 4
    again = client.post(f"{base}/generate", json={"first": str(MONDAY), "days": 14}, headers=staff).json()
    assert again == []
    _, clerk = as_user(Role.clerk)
    assert client.post(f"{base}/templates", json=morning, headers=clerk).status_code == 403


def test_rebooking_frees_the_place_and_cancels_the_planned_attempt(
    client: TestClient, world: World, window_today: Window, as_user: UserFactory
) -> None:
    _, agent = as_user(Role.supervisor)
    new_slot = window_today.slot_ids[-1]
    with database.get_session() as session:
        assert session.get_one(PickupSlot, window_today.slot_ids[0]).booked == 1
    moved = client.post(
        f"/api/desk/pickup-bookings/{window_today.booking_id}/rebook",
        json={"slot_id": new_slot},
        headers=agent,
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == new_slot and moved.json()["booked"] == 1
    with database.get_session() as session:
        assert session.get_one(PickupSlot, window_today.slot_ids[0]).booked == 0
        old_attempt = session.get_one(DeliveryAttempt, window_today.attempt_id)
        assert old_attempt.status is AttemptStatus.cancelled
    twice = client.post(f"/api/desk/pickup-bookings/{window_today.booking_id}/cancel", headers=agent)
    assert twice.status_code == 409


def test_a_staff_cancel_frees_the_place_and_plans_the_next_method_within_24_hours(
    client: TestClient, world: World, window_today: Window, as_user: UserFactory
) -> None:
    _, agent = as_user(Role.supervisor)
    before = datetime.now(UTC)
    cancelled = client.post(f"/api/desk/pickup-bookings/{window_today.booking_id}/cancel", headers=agent)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["booked"] == 0
    with database.get_session() as session:
        attempts = session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id == world.delivery_id)
            .order_by(DeliveryAttempt.id)
        ).all()
        assert [a.id for a in attempts[:1]] == [window_today.attempt_id]
        assert attempts[0].status is AttemptStatus.cancelled
        [planned] = attempts[1:]
        assert planned.status is AttemptStatus.planned and planned.method is not DeliveryMethod.pickup
        assert planned.start_by is not None
        start_by = planned.start_by.replace(tzinfo=planned.start_by.tzinfo or UTC)
        assert start_by <= before + timedelta(hours=24, minutes=1)
