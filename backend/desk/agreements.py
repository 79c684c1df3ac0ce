"""What the party agreed to on the call: collect at a court window, e-delivery, a letter, or a visit.
Each plans the attempt of that method (through the deliveries' attempt service) and files what was agreed."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN
from backend.desk import contacts, records
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.messaging import service as sms_service
from backend.parties.enums import ContactKind
from backend.parties.models import ContactPoint, usable_contact_points
from backend.pickup import service as pickup_service

MOBILE_DIGITS = 11


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
    """Book the slot, plan the pickup attempt, queue the confirmation SMS."""
    if slot_id is None:
        raise InvalidRequest("请选择领取时段")
    booking = pickup_service.book(
        db_session=db_session, actor=actor, delivery=delivery, slot_id=slot_id, now=now
    )
    slot = booking.slot
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.pickup,
        planned_at=slot.starts_at,
        notes=f"预约{slot.window.name} {pickup_service.local_span(slot)}",
    )
    booking.attempt_id = planned.id
    details: dict[str, Any] = {"booking_id": booking.id, "slot_id": slot.id, "planned_attempt_id": planned.id}
    mobile = _mobile_for_sms(db_session, delivery, attempt)
    if mobile is None:
        return details | {"sms_id": None, "sms_skipped": "当事人无可用手机号"}
    message = sms_service.queue_sms(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        to_number=mobile,
        text=sms_service.pickup_confirmation_text(delivery=delivery, slot=slot),
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


def _confirmation(
    db_session: Session, actor: User, delivery: Delivery, attempt: DeliveryAttempt, **fields: Any
) -> AddressConfirmation:
    record = records.store_json(
        db_session=db_session,
        actor=actor,
        attempt=attempt,
        kind=EvidenceKind.address_confirmation,
        payload={"type": "address_confirmation", "obtained_via": DeliveryMethod.phone.value, **fields},
    )
    confirmation = AddressConfirmation(
        party_id=delivery.party_id,
        delivery_id=delivery.id,
        obtained_via=DeliveryMethod.phone,
        evidence_id=record.id,
        recorded_by_user_id=actor.id,
        **fields,
    )
    db_session.add(confirmation)
    db_session.flush()
    return confirmation


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
    """Record the consent to e-delivery with the confirmed addresses; plan the e-delivery."""
    if not consent:
        raise InvalidRequest("电子送达须当事人明确同意")
    if not mobile and not email:
        raise InvalidRequest("请填写当事人确认的手机号或电子邮箱")
    points = [
        contacts.confirm_contact_point(
            db_session=db_session,
            party=delivery.party,
            kind=kind,
            value=value,
            actor=actor,
            note="电话确认，同意电子送达",
        )
        for kind, value in ((ContactKind.email, email), (ContactKind.phone, mobile))
        if value
    ]
    confirmation = _confirmation(
        db_session, actor, delivery, attempt,
        mobile=contacts.normalise(ContactKind.phone, mobile) if mobile else None,
        email=contacts.normalise(ContactKind.email, email) if email else None,
        consents_to_electronic=True,
    )  # fmt: skip
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.electronic,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=points[0].id,
        notes="当事人电话确认同意电子送达",
    )
    _rests_on_confirmation(db_session, actor, planned, confirmation, "consent", "当事人电话同意电子送达")
    return {"confirmation_id": confirmation.id, "planned_attempt_id": planned.id}


def _rests_on_confirmation(
    db_session: Session,
    actor: User,
    planned: DeliveryAttempt,
    confirmation: AddressConfirmation,
    key: str,
    value: object,
) -> None:
    """The planned attempt's fact KEY rests on the confirmation filed from the call (with its recordings)."""
    assert confirmation.evidence_id is not None
    evidence = db_session.get_one(Evidence, confirmation.evidence_id)
    record_fact(db_session=db_session, attempt=planned, key=key, value=value, evidence=evidence, actor=actor)


def confirm_postal(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    address: str | None,
    now: datetime,
) -> dict[str, Any]:
    """Confirm the postal address (a verified contact point) and plan the EMS letter."""
    address = " ".join((address or "").split())
    if len(address) < 5:
        raise InvalidRequest("请填写完整的送达地址")
    point = contacts.confirm_contact_point(
        db_session=db_session,
        party=delivery.party,
        kind=ContactKind.address,
        value=address,
        actor=actor,
        note="电话确认送达地址",
    )
    confirmation = _confirmation(db_session, actor, delivery, attempt, postal_address=point.value)
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.postal,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=point.id,
        notes="当事人电话确认地址，EMS 司法专邮寄送",
    )
    _rests_on_confirmation(db_session, actor, planned, confirmation, "address_confirmed", True)
    return {
        "confirmation_id": confirmation.id,
        "contact_point_id": point.id,
        "planned_attempt_id": planned.id,
    }


def plan_field(
    *, db_session: Session, actor: User, delivery: Delivery, notes: str | None, now: datetime
) -> dict[str, Any]:
    """Plan a visit in person with the agent's notes."""
    notes = (notes or "").strip()
    if not notes:
        raise InvalidRequest("请填写外出送达说明")
    addresses = usable_contact_points(delivery.party, ContactKind.address)
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.field,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=addresses[0].id if addresses else None,
        notes=notes,
    )
    return {"planned_attempt_id": planned.id}
