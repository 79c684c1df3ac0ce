"""Pickup windows and slots over HTTP: supervisors open windows and slots on the wall (/api/wall),
agents read a day's slots on the desk (/api/desk)."""

from datetime import date
from typing import Annotated

from fastapi import Query, status

from backend.auth.dependencies import secured_router
from backend.auth.roles import STAFF_ROLES, Role
from backend.core.errors import NotVisible
from backend.core.http import service_errors
from backend.database import SessionDep
from backend.pickup import service
from backend.pickup.models import PickupWindow
from backend.pickup.schemas import SlotRead, SlotsCreate, WindowCreate, WindowRead

SLOT_READERS = frozenset({Role.agent, *STAFF_ROLES})
windows_router = secured_router(prefix="/api/wall", tags=["来院领取"], roles=STAFF_ROLES)
slots_router = secured_router(prefix="/api/desk", tags=["来院领取"], roles=SLOT_READERS)
routers = [windows_router, slots_router]


@windows_router.get("/pickup-windows", response_model=list[WindowRead])
def list_windows(db_session: SessionDep) -> list[WindowRead]:
    return [WindowRead.of(window) for window in service.list_windows(db_session=db_session)]


@windows_router.post("/pickup-windows", response_model=WindowRead, status_code=status.HTTP_201_CREATED)
def create_window(body: WindowCreate, db_session: SessionDep) -> WindowRead:
    window = service.create_window(db_session=db_session, **body.model_dump())
    db_session.commit()
    return WindowRead.of(window)


@windows_router.post(
    "/pickup-windows/{window_id}/slots", response_model=list[SlotRead], status_code=status.HTTP_201_CREATED
)
def create_slots(window_id: int, body: SlotsCreate, db_session: SessionDep) -> list[SlotRead]:
    """Open slots of `slot_minutes` between `start` and `end` (court time) on `date`."""
    window = db_session.get(PickupWindow, window_id)
    with service_errors():
        if window is None:
            raise NotVisible("领取窗口")
        slots = service.add_slots(
            db_session=db_session,
            window=window,
            day=body.date,
            start=body.start,
            end=body.end,
            minutes=body.slot_minutes,
            capacity=body.capacity,
        )
    db_session.commit()
    return [SlotRead.of(slot) for slot in slots]


@slots_router.get("/pickup-slots", response_model=list[SlotRead])
def pickup_slots(day: Annotated[date, Query(alias="date")], db_session: SessionDep) -> list[SlotRead]:
    """The slots of the court's pickup windows on a day (court time), with places booked."""
    return [SlotRead.of(slot) for slot in service.slots_on(db_session=db_session, day=day)]
