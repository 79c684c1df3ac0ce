"""The party's own link to their appointment (sent in the reminder SMS): see it, cancel it, or move it to
another slot. The link carries an HMAC of the booking under the installation's secret, so it cannot be
guessed from the 6-digit code; a cancelled place is freed at once."""

import hashlib
import hmac
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.core.clock import BEIJING
from backend.core.errors import NotVisible, RuleViolation
from backend.pickup import service
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking, PickupSlot

REBOOK_DAYS = 14  # looked through for free places
REBOOK_OPEN_DAYS = 5  # offered: the first days with a free place


def _signature(booking_id: int, code: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"pickup-appointment:{booking_id}:{code}".encode(), hashlib.sha256).hexdigest()[:32]


def manage_token(booking: PickupBooking) -> str:
    return f"{booking.id}.{_signature(booking.id, booking.code or '')}"


def manage_url(booking: PickupBooking) -> str:
    """The party's link to see, move or cancel the appointment."""
    return f"{get_settings().public_base_url.rstrip('/')}/appointment?t={manage_token(booking)}"


def booking_for_token(*, db_session: Session, token: str) -> PickupBooking:
    """The booking the link names; NotVisible for anything else (a wrong or altered link)."""
    booking_id, _, signature = token.partition(".")
    booking = db_session.get(PickupBooking, int(booking_id)) if booking_id.isdigit() else None
    if (
        booking is None
        or not booking.code
        or not hmac.compare_digest(signature, _signature(booking.id, booking.code))
    ):
        raise NotVisible("预约")
    return booking


def _changeable(booking: PickupBooking, now: datetime) -> None:
    if booking.status is not BookingStatus.booked:
        raise RuleViolation("该预约已签到、已领取、已取消或已记为未到，不能再改约或取消")
    if booking.slot.starts_at <= now:
        raise RuleViolation("预约时段已开始，不能再改约或取消；如需帮助请致电本院诉讼服务中心")


def can_change(booking: PickupBooking, now: datetime) -> bool:
    return booking.status is BookingStatus.booked and booking.slot.starts_at > now


def cancel_by_party(*, db_session: Session, booking: PickupBooking, now: datetime) -> PickupBooking:
    """The party cancelled: the place is freed and the router plans another method within 24 hours."""
    _changeable(booking, now)
    return service.cancel_and_plan_next(db_session=db_session, actor=None, booking=booking, now=now)


def rebook_by_party(
    *, db_session: Session, booking: PickupBooking, slot_id: int, now: datetime
) -> PickupBooking:
    """The party moved the appointment to SLOT_ID: the old place is freed, a new booking planned."""
    _changeable(booking, now)
    return service.rebook(db_session=db_session, actor=None, booking=booking, slot_id=slot_id, now=now)


def free_slots(*, db_session: Session, booking: PickupBooking, now: datetime) -> list[PickupSlot]:
    """Slots with places left in the coming days at windows of the booking's court."""
    court_id = booking.delivery.case.court_id
    first: date = now.astimezone(BEIJING).date()
    slots: list[PickupSlot] = []
    open_days = 0
    for offset in range(REBOOK_DAYS):
        if open_days == REBOOK_OPEN_DAYS:
            break
        free = [
            slot
            for slot in service.slots_on(db_session=db_session, day=first + timedelta(days=offset))
            if slot.starts_at > now
            and slot.booked < slot.capacity
            and slot.window.court_id in (None, court_id)
            and slot.id != booking.slot_id
        ]
        open_days += bool(free)
        slots += free
    return slots
