"""The party's appointment link (public, no login: the link's HMAC is the credential): see the
appointment, cancel it or move it to another slot. Every change is audited."""

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from backend.audit import service as audit_service
from backend.auth.dependencies import client_ip
from backend.core.http import service_errors
from backend.database import SessionDep, utcnow
from backend.pickup import appointments
from backend.pickup.enums import BOOKING_STATUS_LABELS
from backend.pickup.models import PickupBooking
from backend.pickup.schemas import AppointmentRead, BookingRebook, SlotRead

appointment_router = APIRouter(prefix="/api/pickup/appointments", tags=["来院领取（当事人）"])
PARTY = "当事人（预约链接）"


def _read(db_session: Session, booking: PickupBooking) -> AppointmentRead:
    now = utcnow()
    delivery, slot = booking.delivery, booking.slot
    changeable = appointments.can_change(booking, now)
    free = appointments.free_slots(db_session=db_session, booking=booking, now=now) if changeable else []
    return AppointmentRead(
        token=appointments.manage_token(booking),
        code=booking.code,
        status=booking.status,
        status_label=BOOKING_STATUS_LABELS[booking.status],
        party_name=delivery.party.name,
        case_number=delivery.case.case_number,
        court=delivery.case.court.name,
        window=slot.window.name,
        location=slot.window.location,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        documents=[document.name for document in delivery.documents],
        can_change=changeable,
        free_slots=[SlotRead.of(free_slot) for free_slot in free],
    )


def _audit(db_session: Session, request: Request, booking: PickupBooking, action: str, **detail: Any) -> None:
    audit_service.record(
        db_session=db_session,
        actor=None,
        actor_username=PARTY,
        action=action,
        object_type="pickup_booking",
        object_id=booking.id,
        case_id=booking.delivery.case_id,
        client_ip=client_ip(request),
        detail=detail or None,
    )


@appointment_router.get("/{token}", response_model=AppointmentRead)
def appointment(token: str, request: Request, db_session: SessionDep) -> AppointmentRead:
    """The appointment the link names, with the free slots it may move to."""
    with service_errors():
        booking = appointments.booking_for_token(db_session=db_session, token=token)
    _audit(db_session, request, booking, "pickup_appointment_viewed")
    return _read(db_session, booking)


@appointment_router.post("/{token}/cancel", response_model=AppointmentRead)
def cancel(token: str, request: Request, db_session: SessionDep) -> AppointmentRead:
    """Cancel the appointment: the place is freed, the court tries another way within 24 hours."""
    with service_errors():
        booking = appointments.booking_for_token(db_session=db_session, token=token)
        appointments.cancel_by_party(db_session=db_session, booking=booking, now=utcnow())
    _audit(db_session, request, booking, "pickup_cancelled_by_party")
    db_session.commit()
    return _read(db_session, booking)


@appointment_router.post("/{token}/rebook", response_model=AppointmentRead)
def rebook(token: str, body: BookingRebook, request: Request, db_session: SessionDep) -> AppointmentRead:
    """Move the appointment to another slot (the answer carries the new link)."""
    with service_errors():
        booking = appointments.booking_for_token(db_session=db_session, token=token)
        moved = appointments.rebook_by_party(
            db_session=db_session, booking=booking, slot_id=body.slot_id, now=utcnow()
        )
    _audit(db_session, request, booking, "pickup_rebooked_by_party", new_booking_id=moved.id)
    db_session.commit()
    return _read(db_session, moved)
