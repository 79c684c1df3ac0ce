"""Pickup windows and slots over HTTP: supervisors open windows and slots on the wall (/api/wall),
agents read a day's slots on the desk (/api/desk)."""

from datetime import date
from typing import Annotated

from fastapi import Query, status

from backend.audit import service as audit_service
from backend.auth.dependencies import CurrentUser, secured_router
from backend.auth.roles import STAFF_ROLES, Role
from backend.cases.access import can_see_case
from backend.core.errors import NotVisible
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.pickup import service, templates
from backend.pickup.appointment_views import appointment_router
from backend.pickup.models import PickupBooking, PickupTemplate, PickupWindow
from backend.pickup.schemas import (
    BookingRebook,
    HolidayCreate,
    HolidayRead,
    SlotRead,
    SlotsCreate,
    SlotsGenerate,
    TemplateCreate,
    TemplateRead,
    WindowCreate,
    WindowRead,
)
from backend.pickup.window_views import window_router

SLOT_READERS = frozenset({Role.agent, *STAFF_ROLES})
windows_router = secured_router(prefix="/api/wall", tags=["来院领取"], roles=STAFF_ROLES)
slots_router = secured_router(prefix="/api/desk", tags=["来院领取"], roles=SLOT_READERS)
routers = [windows_router, slots_router, window_router, appointment_router]


@windows_router.get("/pickup-windows", response_model=list[WindowRead])
def list_windows(db_session: SessionDep) -> list[WindowRead]:
    return [WindowRead.of(window) for window in service.list_windows(db_session=db_session)]


def _audit(db_session: SessionDep, user: CurrentUser, action: str, object_id: int, **detail: object) -> None:
    audit_service.record(
        db_session=db_session,
        actor=user,
        action=action,
        object_type="pickup_window",
        object_id=object_id,
        detail={key: str(value) for key, value in detail.items()},
    )


@windows_router.post("/pickup-windows", response_model=WindowRead, status_code=status.HTTP_201_CREATED)
def create_window(body: WindowCreate, user: CurrentUser, db_session: SessionDep) -> WindowRead:
    window = service.create_window(db_session=db_session, **body.model_dump())
    _audit(db_session, user, "pickup_window_created", window.id, name=window.name)
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


def _window(db_session: SessionDep, window_id: int) -> PickupWindow:
    window = db_session.get(PickupWindow, window_id)
    if window is None:
        raise NotVisible("领取窗口")
    return window


def _template_read(template: PickupTemplate) -> TemplateRead:
    return TemplateRead(
        id=template.id,
        window_id=template.window_id,
        weekdays=templates.template_weekdays(template),
        start=template.start,
        end=template.end,
        slot_minutes=template.slot_minutes,
        capacity=template.capacity,
    )


@windows_router.get("/pickup-windows/{window_id}/templates", response_model=list[TemplateRead])
def list_templates(window_id: int, db_session: SessionDep) -> list[TemplateRead]:
    with service_errors():
        _window(db_session, window_id)
    return [_template_read(t) for t in templates.window_templates(db_session=db_session, window_id=window_id)]


@windows_router.post(
    "/pickup-windows/{window_id}/templates", response_model=TemplateRead, status_code=status.HTTP_201_CREATED
)
def create_template(
    window_id: int, body: TemplateCreate, user: CurrentUser, db_session: SessionDep
) -> TemplateRead:
    """A weekly opening pattern: on `weekdays` (1 = Monday), slots from `start` to `end` (court time)."""
    with service_errors():
        template = templates.add_template(
            db_session=db_session, window=_window(db_session, window_id), **body.model_dump()
        )
    _audit(db_session, user, "pickup_template_created", window_id, template_id=template.id)
    db_session.commit()
    return _template_read(template)


@windows_router.delete(
    "/pickup-windows/{window_id}/templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT
)
def delete_template(window_id: int, template_id: int, user: CurrentUser, db_session: SessionDep) -> None:
    """Stop a weekly pattern; the slots already generated from it stay (with their bookings)."""
    template = db_session.get(PickupTemplate, template_id)
    with service_errors():
        if template is None or template.window_id != window_id:
            raise NotVisible("开放时间模板")
    db_session.delete(template)
    _audit(db_session, user, "pickup_template_deleted", window_id, template_id=template_id)
    db_session.commit()


@windows_router.post(
    "/pickup-windows/{window_id}/generate", response_model=list[SlotRead], status_code=status.HTTP_201_CREATED
)
def generate_slots(
    window_id: int, body: SlotsGenerate, user: CurrentUser, db_session: SessionDep
) -> list[SlotRead]:
    """Open the slots of the window's templates for `days` days from `first`, closed days skipped."""
    with service_errors():
        slots = templates.generate_slots(
            db_session=db_session, window=_window(db_session, window_id), first=body.first, days=body.days
        )
    _audit(db_session, user, "pickup_slots_generated", window_id, first=body.first, days=body.days)
    db_session.commit()
    return [SlotRead.of(slot) for slot in slots]


@windows_router.get("/pickup-holidays", response_model=list[HolidayRead])
def list_holidays(db_session: SessionDep, year: Annotated[int, Query(ge=2000, le=2100)]) -> list[HolidayRead]:
    closed = templates.holidays_between(
        db_session=db_session, first=date(year, 1, 1), last=date(year, 12, 31)
    )
    return [HolidayRead(id=0, day=day, name=name) for day, name in sorted(closed.items())]


@windows_router.post("/pickup-holidays", response_model=HolidayRead, status_code=status.HTTP_201_CREATED)
def create_holiday(body: HolidayCreate, user: CurrentUser, db_session: SessionDep) -> HolidayRead:
    """Close the windows on a day: no slots are generated, unbooked slots already open are removed."""
    holiday = templates.add_holiday(db_session=db_session, day=body.day, name=body.name)
    audit_service.record(
        db_session=db_session,
        actor=user,
        action="pickup_holiday_created",
        object_type="pickup_window",
        detail={"day": body.day.isoformat(), "name": body.name},
    )
    db_session.commit()
    return HolidayRead(id=holiday.id, day=holiday.day, name=holiday.name)


def _booking(db_session: SessionDep, user: CurrentUser, booking_id: int) -> PickupBooking:
    booking = db_session.get(PickupBooking, booking_id)
    if booking is None or not can_see_case(
        db_session=db_session, user=user, case_id=booking.delivery.case_id
    ):
        raise NotVisible("预约")
    return booking


@slots_router.post("/pickup-bookings/{booking_id}/cancel", response_model=SlotRead)
def cancel_booking(booking_id: int, user: CurrentUser, db_session: SessionDep) -> SlotRead:
    """Cancel an unattended booking: its place in the slot is freed and the next method planned (24 h)."""
    with service_errors():
        booking = service.cancel_and_plan_next(
            db_session=db_session, actor=user, booking=_booking(db_session, user, booking_id), now=utcnow()
        )
    db_session.commit()
    return SlotRead.of(booking.slot)


@slots_router.post("/pickup-bookings/{booking_id}/rebook", response_model=SlotRead)
def rebook(booking_id: int, body: BookingRebook, user: CurrentUser, db_session: SessionDep) -> SlotRead:
    """Move an unattended booking to another slot; the old place is freed."""
    with service_errors():
        booking = service.rebook(
            db_session=db_session,
            actor=user,
            booking=_booking(db_session, user, booking_id),
            slot_id=body.slot_id,
            now=utcnow(),
        )
    db_session.commit()
    return SlotRead.of(booking.slot)
