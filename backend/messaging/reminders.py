"""The day-before reminder of a pickup appointment: one SMS per booking, with the appointment code and the
party's link to move or cancel it (backend.pickup.appointments)."""

from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.clock import BEIJING, beijing_day_start
from backend.messaging.service import queue_sms
from backend.parties import contacts
from backend.parties.enums import ContactKind
from backend.parties.models import usable_contact_points
from backend.pickup import appointments
from backend.pickup.enums import BookingStatus
from backend.pickup.models import PickupBooking, PickupSlot
from backend.pickup.service import local_span

PICKUP_REMINDER = "pickup_reminder"
SEND_FROM = time(9, 0)  # court time: nobody is woken by a reminder
BATCH = 500


def reminder_text(booking: PickupBooking) -> str:
    delivery, slot = booking.delivery, booking.slot
    court = delivery.case.court.name
    where = slot.window.name + (f"（{slot.window.location}）" if slot.window.location else "")
    return (
        f"【{court}】{delivery.party.name}您好：提醒您明天{local_span(slot)}到{court}{where}"
        f"领取{delivery.case.case_number}案件的文书，预约码{booking.code}，请携带本人有效身份证件。"
        f"如需改约或取消，请打开：{appointments.manage_url(booking)}"
    )


def _mobile(booking: PickupBooking) -> str | None:
    for point in usable_contact_points(booking.delivery.party, ContactKind.phone):
        number = contacts.normalise(ContactKind.phone, point.value)
        if len(number) == 11 and number.startswith("1"):
            return number
    return None


def queue_pickup_reminders(*, db_session: Session, now: datetime) -> list[int]:
    """Queue tomorrow's reminders (from 09:00 court time); returns the ids of the SMS queued."""
    local = now.astimezone(BEIJING)
    if local.time() < SEND_FROM:
        return []
    tomorrow = local.date() + timedelta(days=1)
    query = (
        select(PickupBooking)
        .join(PickupSlot, PickupSlot.id == PickupBooking.slot_id)
        .where(
            PickupBooking.status == BookingStatus.booked,
            PickupBooking.reminded_at.is_(None),
            PickupBooking.created_at
            < beijing_day_start(local.date()),  # booked today: the confirmation is enough
            PickupSlot.starts_at >= beijing_day_start(tomorrow),
            PickupSlot.starts_at < beijing_day_start(tomorrow + timedelta(days=1)),
        )
        .order_by(PickupBooking.id)
        .limit(BATCH)
    )
    queued = []
    for booking in db_session.scalars(query):
        booking.reminded_at = now
        mobile = _mobile(booking)
        if mobile is None:
            continue
        message = queue_sms(
            db_session=db_session,
            actor=None,
            delivery=booking.delivery,
            to_number=mobile,
            text=reminder_text(booking),
            purpose=PICKUP_REMINDER,
        )
        queued.append(message.id)
    db_session.flush()
    return queued
