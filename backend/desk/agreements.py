"""What the party agreed to on the call: collect at a court window, e-delivery, a letter, or a visit.

The desk's part is what the call taught (confirmed contact points, the agreement filed as evidence with the
call's facts and recording hashes, the address confirmation); each method's own package plans its attempt
(pickup, electronic, postal, field services), and the pickup confirmation goes out through messaging.
"""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.deliveries.confirmations import record_address_confirmation
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.desk import records
from backend.electronic import service as electronic_service
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.field import service as field_service
from backend.messaging import service as sms_service
from backend.parties import contacts
from backend.parties.enums import ContactKind
from backend.parties.models import ContactPoint, usable_contact_points
from backend.pickup import service as pickup_service
from backend.postal import service as postal_service

MOBILE_DIGITS = 11
CALL_SOURCE = "desk_call"
CONSENT_NOTE = "当事人电话确认同意电子送达"


def called_point(db_session: Session, attempt: DeliveryAttempt) -> ContactPoint | None:
    return db_session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None


def book_pickup(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    slot_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    """Book the slot and plan the pickup (pickup package), queue the confirmation SMS (messaging)."""
    if slot_id is None:
        raise InvalidRequest("请选择领取时段")
    booking = pickup_service.book_and_plan(
        db_session=db_session, actor=actor, delivery=delivery, slot_id=slot_id, now=now
    )
    details: dict[str, Any] = {
        "booking_id": booking.id,
        "slot_id": booking.slot_id,
        "planned_attempt_id": booking.attempt_id,
    }
    mobile = _mobile_for_sms(db_session, delivery, attempt)
    if mobile is None:
        return details | {"sms_id": None, "sms_skipped": "当事人无可用手机号"}
    message = sms_service.queue_sms(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        to_number=mobile,
        text=sms_service.pickup_confirmation_text(delivery=delivery, slot=booking.slot, code=booking.code),
        purpose=sms_service.PICKUP_CONFIRMATION,
    )
    return details | {"sms_id": message.id}


def _is_mobile(number: str) -> bool:
    return len(number) == MOBILE_DIGITS and number.startswith("1")


def _mobile_for_sms(db_session: Session, delivery: Delivery, attempt: DeliveryAttempt) -> str | None:
    called = called_point(db_session, attempt)
    phones = ([called] if called else []) + usable_contact_points(delivery.party, ContactKind.phone)
    return next(
        (cp.value for cp in phones if _is_mobile(contacts.normalise(ContactKind.phone, cp.value))), None
    )


def _confirm(
    db_session: Session, actor: User, delivery: Delivery, kind: ContactKind, value: str, note: str
) -> ContactPoint:
    return contacts.confirm_contact_point(
        db_session=db_session,
        party=delivery.party,
        kind=kind,
        value=value,
        actor=actor,
        note=note,
        source=CALL_SOURCE,
    )


def _confirmation(
    db_session: Session, actor: User, delivery: Delivery, attempt: DeliveryAttempt, **fields: Any
) -> tuple[AddressConfirmation, Evidence]:
    """File what the party confirmed on the call (with its facts and recordings) and record it."""
    record = records.store_json(
        db_session=db_session,
        actor=actor,
        attempt=attempt,
        kind=EvidenceKind.address_confirmation,
        payload={"type": "address_confirmation", "obtained_via": DeliveryMethod.phone.value, **fields},
    )
    confirmation = record_address_confirmation(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        obtained_via=DeliveryMethod.phone,
        evidence_id=record.id,
        **fields,
    )
    return confirmation, record


def consent_electronic(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    mobile: str | None,
    email: str | None,
    consent: bool,
    now: datetime,
) -> dict[str, Any]:
    """Record the consent to e-delivery with the confirmed addresses; the electronic package plans it."""
    if not consent:
        raise InvalidRequest("电子送达须当事人明确同意")
    if not mobile and not email:
        raise InvalidRequest("请填写当事人确认的手机号或电子邮箱")
    points = [
        _confirm(db_session, actor, delivery, kind, value, "电话确认，同意电子送达")
        for kind, value in ((ContactKind.email, email), (ContactKind.phone, mobile))
        if value
    ]
    confirmation, record = _confirmation(
        db_session, actor, delivery, attempt,
        mobile=contacts.normalise(ContactKind.phone, mobile) if mobile else None,
        email=contacts.normalise(ContactKind.email, email) if email else None,
        consents_to_electronic=True,
    )  # fmt: skip
    planned = electronic_service.plan_after_consent(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        address=points[0],
        consent_evidence=record,
        consent_note=CONSENT_NOTE,
        now=now,
    )
    return {"confirmation_id": confirmation.id, "planned_attempt_id": planned.id}


def confirm_postal(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    address: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Confirm the postal address (a verified contact point); the postal package plans the letter."""
    address = " ".join((address or "").split())
    if len(address) < 5:
        raise InvalidRequest("请填写完整的送达地址")
    point = _confirm(db_session, actor, delivery, ContactKind.address, address, "电话确认送达地址")
    confirmation, record = _confirmation(db_session, actor, delivery, attempt, postal_address=point.value)
    planned = postal_service.plan_letter(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        address=point,
        now=now,
        notes="当事人电话确认地址，EMS 司法专邮寄送",
        confirmation_evidence=record,
    )
    return {
        "confirmation_id": confirmation.id,
        "contact_point_id": point.id,
        "planned_attempt_id": planned.id,
    }


def plan_field(
    *, db_session: Session, actor: User, delivery: Delivery, notes: str | None, now: datetime
) -> dict[str, Any]:
    """A visit in person with the agent's notes (field package)."""
    planned = field_service.plan_visit(
        db_session=db_session, actor=actor, delivery=delivery, notes=notes, now=now
    )
    return {"planned_attempt_id": planned.id}
