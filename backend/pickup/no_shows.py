"""No-shows: at the end of the slot's day an unattended booking becomes a failed attempt (no_show), and
the router plans the next method within 24 hours."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.clock import BEIJING, beijing_day_start
from backend.deliveries import attempts as attempt_service
from backend.deliveries import planning
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking, PickupSlot

BATCH = 500


def mark_no_shows(*, db_session: Session, now: datetime) -> list[int]:
    """Fail the attempts of bookings still unattended once their slot's day is over; returns booking ids."""
    today_start = beijing_day_start(now.astimezone(BEIJING).date())
    query = (
        select(PickupBooking)
        .join(PickupSlot, PickupSlot.id == PickupBooking.slot_id)
        .where(PickupBooking.status == BookingStatus.booked, PickupSlot.starts_at < today_start)
        .order_by(PickupBooking.id)
        .limit(BATCH)
    )
    marked = []
    for booking in db_session.scalars(query):
        booking.status = BookingStatus.no_show
        attempt = db_session.get(DeliveryAttempt, booking.attempt_id) if booking.attempt_id else None
        if attempt is not None and attempt.status is AttemptStatus.planned:
            _fail(db_session, attempt, now)
        marked.append(booking.id)
    db_session.flush()
    return marked


def _fail(db_session: Session, attempt: DeliveryAttempt, now: datetime) -> None:
    previous = attempt.status
    attempt.transition(AttemptStatus.failed)
    attempt.outcome = AttemptOutcome.no_show
    attempt.ended_at = now
    attempt.notes = f"{attempt.notes}\n当事人未按约来院领取" if attempt.notes else "当事人未按约来院领取"
    attempt_service.audit_transition(db_session=db_session, actor=None, attempt=attempt, previous=previous)
    planning.plan_after_failure(db_session=db_session, actor=None, failed=attempt, now=now)
