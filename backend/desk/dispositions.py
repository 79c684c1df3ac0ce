"""The result of a desk call (disposition) and what each one sets in motion.

Every disposition ends the phone attempt (failed: the call itself served nothing) with its outcome and
files a record of it with the call's facts and recordings. Then: pickup books a slot, queues the SMS and
plans a pickup attempt; electronic records the consent and plans an e-delivery; postal confirms the address
and plans a letter; field plans a visit; no answer, busy, refused and wrong number schedule a retry or the
next method (24-hour rule); callback schedules the call the party asked for.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.calls.enums import CallOutcome
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.desk import agreements, followup, records
from backend.desk.enums import DISPOSITION_LABELS, CallbackKind, DispositionKind
from backend.desk.phone import calls_of
from backend.evidence.enums import EvidenceKind
from backend.parties import contacts
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint

K = DispositionKind
OUTCOMES = {
    K.pickup: AttemptOutcome.pickup_booked,
    K.electronic: AttemptOutcome.electronic_consent,
    K.postal: AttemptOutcome.address_confirmed,
    K.field: AttemptOutcome.field_visit_needed,
    K.no_answer: AttemptOutcome.no_answer,
    K.busy: AttemptOutcome.busy,
    K.refused: AttemptOutcome.refused,
    K.wrong_number: AttemptOutcome.wrong_number,
    K.callback: AttemptOutcome.callback_requested,
}
NEEDS_ANSWER = frozenset({K.pickup, K.electronic, K.postal, K.field, K.refused, K.callback})


@dataclass(frozen=True)
class Disposition:
    kind: DispositionKind
    slot_id: int | None = None
    mobile: str | None = None
    email: str | None = None
    consent: bool = False
    address: str | None = None
    notes: str | None = None
    contact_point_id: int | None = None
    callback_at: datetime | None = None
    next_method: DeliveryMethod | None = None


@dataclass
class Outcome:
    attempt: DeliveryAttempt
    details: dict[str, Any] = field(default_factory=dict)
    evidence_id: int | None = None


def _check_calls(db_session: Session, attempt: DeliveryAttempt, kind: DispositionKind) -> None:
    calls = calls_of(db_session, attempt)
    if not calls:
        raise RuleViolation("尚未呼叫当事人，不能登记通话结果")
    unanswered = all(c.outcome is not None and c.outcome is not CallOutcome.answered for c in calls)
    if kind in NEEDS_ANSWER and unanswered:
        raise RuleViolation(f"通话未接通，不能登记「{DISPOSITION_LABELS[kind]}」")


def _verify_called(db_session: Session, actor: User, attempt: DeliveryAttempt) -> None:
    called = agreements.called_point(db_session, attempt)
    if called is not None:
        contacts.mark_contact_point(
            contact_point=called,
            state=ContactState.verified,
            actor=actor,
            note="电话接通，当事人应答",
            source=agreements.CALL_SOURCE,
        )


def apply(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    disposition: Disposition,
    now: datetime,
) -> Outcome:
    """End ATTEMPT with DISPOSITION and start what follows; returns what was created."""
    _check_calls(db_session, attempt, disposition.kind)
    attempt_service.transition_attempt(
        db_session=db_session,
        actor=actor,
        attempt=attempt,
        status=AttemptStatus.failed,
        outcome=OUTCOMES[disposition.kind],
        notes=disposition.notes,
    )
    followup.close_callbacks(db_session=db_session, delivery_id=delivery.id, now=now)
    if disposition.kind in NEEDS_ANSWER:
        _verify_called(db_session, actor, attempt)
    result = Outcome(attempt=attempt)
    result.details = _HANDLERS[disposition.kind](db_session, actor, delivery, attempt, disposition, now)
    record = records.store_json(
        db_session=db_session,
        actor=actor,
        attempt=attempt,
        kind=EvidenceKind.other,
        payload={
            "type": "desk_disposition",
            "kind": disposition.kind.value,
            "kind_label": DISPOSITION_LABELS[disposition.kind],
            "outcome": OUTCOMES[disposition.kind].value,
            "notes": disposition.notes,
            "result": result.details,
        },
    )
    result.evidence_id = record.id
    return result


def _failure(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    d: Disposition,
    now: datetime,
) -> dict[str, Any]:
    if d.kind is K.wrong_number:
        _invalidate_number(db_session, actor, delivery, attempt, d.contact_point_id)
    follow = followup.after_failure(
        db_session=db_session,
        actor=actor,
        failed=attempt,
        now=now,
        method=d.next_method,
        callback_at=d.callback_at,
    )
    return {"follow_up": follow.describe()}


def _invalidate_number(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    contact_point_id: int | None,
) -> None:
    point = db_session.get(ContactPoint, contact_point_id or attempt.contact_point_id or 0)
    if point is None or point.party_id != delivery.party_id or point.kind is not ContactKind.phone:
        raise InvalidRequest("请选择该当事人的电话号码")
    contacts.mark_contact_point(
        contact_point=point,
        state=ContactState.invalid,
        actor=actor,
        note="电话核实：号码错误（空号或非本人）",
        source=agreements.CALL_SOURCE,
    )


def _callback(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    d: Disposition,
    now: datetime,
) -> dict[str, Any]:
    if d.callback_at is None or d.callback_at <= now:
        raise InvalidRequest("请填写将来的回拨时间")
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.phone,
        planned_at=d.callback_at,
        contact_point_id=attempt.contact_point_id,
        notes="当事人约定回拨",
    )
    callback = followup.add_callback(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        kind=CallbackKind.requested,
        due_at=d.callback_at,
        note=d.notes or "当事人约定回拨",
        contact_point_id=attempt.contact_point_id,
        attempt_id=planned.id,
    )
    return {
        "callback_id": callback.id,
        "callback_due_at": callback.due_at.isoformat(),
        "planned_attempt_id": planned.id,
    }


def _pickup(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    d: Disposition,
    now: datetime,
) -> dict[str, Any]:
    return agreements.book_pickup(
        db_session=db_session, actor=actor, delivery=delivery, attempt=attempt, slot_id=d.slot_id, now=now
    )


def _electronic(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    d: Disposition,
    now: datetime,
) -> dict[str, Any]:
    return agreements.consent_electronic(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        attempt=attempt,
        mobile=d.mobile,
        email=d.email,
        consent=d.consent,
        now=now,
    )


def _postal(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    d: Disposition,
    now: datetime,
) -> dict[str, Any]:
    return agreements.confirm_postal(
        db_session=db_session, actor=actor, delivery=delivery, attempt=attempt, address=d.address, now=now
    )


def _field(
    db_session: Session,
    actor: User,
    delivery: Delivery,
    attempt: DeliveryAttempt,
    d: Disposition,
    now: datetime,
) -> dict[str, Any]:
    return agreements.plan_field(
        db_session=db_session, actor=actor, delivery=delivery, notes=d.notes, now=now
    )


_HANDLERS = {
    K.pickup: _pickup,
    K.electronic: _electronic,
    K.postal: _postal,
    K.field: _field,
    K.no_answer: _failure,
    K.busy: _failure,
    K.refused: _failure,
    K.wrong_number: _failure,
    K.callback: _callback,
}
