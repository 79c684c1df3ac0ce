"""The API world (tests/api) with a pickup window, today's slots and a booking of the defendant 刘洋."""

import base64
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta

import pytest
from PIL import Image, ImageDraw
from sqlalchemy import Engine

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.deliveries.models import Delivery
from backend.pickup import service
from tests.api.conftest import World, as_user, world  # noqa: F401  (fixtures used here)

DEFENDANT_ID = "11010519900202002X"  # 刘洋, the defendant of the world's delivery


@dataclass
class Window:
    window_id: int
    slot_ids: list[int]
    booking_id: int
    attempt_id: int
    code: str


def strokes(seed: int = 1) -> list[dict[str, object]]:
    """signature_pad's toData() shape: strokes of points with time."""
    rng = random.Random(seed)
    points = [
        {"x": 20 + i * 6, "y": 60 + rng.randint(-20, 20), "pressure": 0.5, "time": 1000 + i * 16}
        for i in range(40)
    ]
    return [{"penColor": "black", "dotSize": 0, "minWidth": 0.5, "maxWidth": 2.5, "points": points}]


def png_data_url(seed: int = 1) -> str:
    image = Image.new("RGBA", (300, 120), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(20, 60), (120, 30 + seed), (220, 90), (280, 50)], fill="black", width=3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def open_window_today(built: World, agent: User) -> Window:
    """A window with 30-minute slots all day today (court time) and the delivery booked in the first."""
    with database.get_session() as session:
        window = service.create_window(
            db_session=session, name="诉讼服务中心 2 号窗口", court_id=built.court_id
        )
        slots = service.add_slots(
            db_session=session,
            window=window,
            day=court_today(),
            start=time(0, 0),
            end=time(23, 30),
            minutes=30,
            capacity=2,
        )
        delivery = session.get_one(Delivery, built.delivery_id)
        first = slots[0]
        booking = service.book_and_plan(
            db_session=session,
            actor=session.get_one(User, agent.id),
            delivery=delivery,
            slot_id=first.id,
            now=first.starts_at - timedelta(hours=1),
        )
        assert booking.attempt_id is not None and booking.code is not None
        return Window(window.id, [slot.id for slot in slots], booking.id, booking.attempt_id, booking.code)


@pytest.fixture()
def window_today(
    world: World,  # noqa: F811
    make_user: Callable[..., User],
    db: Engine,
) -> Window:
    return open_window_today(world, make_user(Role.agent))
