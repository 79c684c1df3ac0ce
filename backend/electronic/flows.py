"""E-delivery end to end: a planned electronic attempt is started and its notice sent; the message's
progress (backend.messaging) becomes the attempt's facts, each resting on the gateway's own words kept as
evidence in the case's chain; arrival at an address the party confirmed serves the attempt on the arrival
date, and a failed report or a bounce fails it and the router plans the next method within 24 hours."""

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.clock import BEIJING
from backend.core.errors import RuleViolation
from backend.database import utcnow
from backend.deliveries import attempts as attempt_service
from backend.deliveries import planning, serving
from backend.deliveries.channels import channel_for
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import DeliveryAttempt
from backend.electronic.models import ElectronicNotice
from backend.electronic.notices import confirmation_for, document_names, send_notice
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.evidence.service import store_evidence
from backend.messaging.enums import MessageChannel, SmsStatus
from backend.messaging.models import SmsOutbox
from backend.parties.models import ContactPoint

SYSTEM = "electronic"
START_BATCH = 100
CHANNEL_LABELS = {MessageChannel.sms: "短信", MessageChannel.email: "电子邮件"}


def _start(db_session: Session, attempt: DeliveryAttempt) -> None:
    """Put ATTEMPT in progress on the system's behalf (no user sends the notice)."""
    previous = attempt.status
    attempt.transition(AttemptStatus.in_progress)
    attempt.started_at = utcnow()
    if attempt.delivery.status is not DeliveryStatus.in_progress:
        attempt.delivery.transition(DeliveryStatus.in_progress)
    attempt_service.audit_transition(db_session=db_session, actor=None, attempt=attempt, previous=previous)


def _fail(db_session: Session, attempt: DeliveryAttempt, outcome: AttemptOutcome | None, notes: str) -> None:
    planning.fail_and_plan_next(
        db_session=db_session,
        actor=None,  # type: ignore[arg-type]  # the gateway's report: no user acts
        attempt=attempt,
        outcome=outcome,
        now=utcnow(),
        notes=notes,
    )


def _record_consent(db_session: Session, attempt: DeliveryAttempt, point: ContactPoint) -> None:
    if "consent" in recorded_facts(db_session=db_session, attempt_id=attempt.id):
        return  # planned after an agent recorded the consent (backend.electronic.service)
    confirmation = confirmation_for(db_session, attempt.delivery.party_id, point)
    evidence = (
        db_session.get(Evidence, confirmation.evidence_id)
        if confirmation and confirmation.evidence_id
        else None
    )
    if confirmation is not None and evidence is not None:
        when = confirmation.confirmed_at.astimezone(BEIJING)
        note = f"当事人于{when:%Y-%m-%d %H:%M}确认电子送达地址并同意电子送达（送达地址确认书）"
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key="consent",
            value=note,
            evidence=evidence,
            system=SYSTEM,
        )


def begin_attempt(*, db_session: Session, attempt: DeliveryAttempt) -> SmsOutbox | None:
    """Start a planned electronic attempt and queue its notice (fail it when it has nowhere to go, or its
    documents may not be served electronically: the router then plans another method)."""
    point = db_session.get(ContactPoint, attempt.contact_point_id) if attempt.contact_point_id else None
    _start(db_session, attempt)
    try:
        channel_for(DeliveryMethod.electronic).check_documents(attempt.delivery)
    except RuleViolation as refusal:
        _fail(db_session, attempt, None, str(refusal))
        return None
    if point is None:
        _fail(db_session, attempt, AttemptOutcome.unreachable, "没有可用于电子送达的手机号码或电子邮箱")
        return None
    _record_consent(db_session, attempt, point)
    return send_notice(db_session=db_session, attempt=attempt, point=point)


def start_due_attempts(*, db_session: Session, now: datetime) -> list[int]:
    """The periodic pass: begin every planned electronic attempt whose time has come."""
    query = (
        select(DeliveryAttempt)
        .where(
            DeliveryAttempt.method == DeliveryMethod.electronic,
            DeliveryAttempt.status == AttemptStatus.planned,
            DeliveryAttempt.planned_at <= now,
        )
        .order_by(DeliveryAttempt.id)
        .limit(START_BATCH)
        .with_for_update(skip_locked=True)
    )
    begun = []
    for attempt in db_session.scalars(query).all():
        begin_attempt(db_session=db_session, attempt=attempt)
        begun.append(attempt.id)
    db_session.flush()
    return begun


def _store(db_session: Session, message: SmsOutbox, name: str, content: dict[str, Any]) -> Evidence:
    body = json.dumps(content, ensure_ascii=False, sort_keys=True, indent=1).encode()
    return store_evidence(
        db_session=db_session,
        case_id=message.case_id or 0,
        kind=EvidenceKind.delivery_report,
        content_type="application/json",
        content=body,
        metadata={"message_id": message.id, "name": name},
        created_by_system=SYSTEM,
        attempt_id=message.attempt_id,
    )


def _submission(message: SmsOutbox) -> dict[str, Any]:
    return {
        "channel": message.channel.value,
        "sender": message.sender,
        "to": message.to_number,
        "subject": message.subject,
        "text": message.text,
        "submitted_at": message.sent_at.isoformat() if message.sent_at else None,
        "gateway_id": message.gateway_id if message.channel is MessageChannel.email else None,
        "gateway_reply": message.gateway_reply,
    }


def _record_sending(db_session: Session, attempt: DeliveryAttempt, message: SmsOutbox) -> None:
    assert message.sent_at is not None
    evidence = _store(db_session, message, "submission", _submission(message))
    label = CHANNEL_LABELS[message.channel]
    facts = {
        "sender": f"{label} {message.sender}",
        "recipient_address": message.to_number,
        "sent_at": message.sent_at,
        "document_names": document_names(attempt.delivery),
    }
    for key, value in facts.items():
        record_fact(
            db_session=db_session, attempt=attempt, key=key, value=value, evidence=evidence, system=SYSTEM
        )


def _arrival(message: SmsOutbox) -> dict[str, Any]:
    if message.channel is MessageChannel.email:
        return {
            "message_id": message.gateway_id,
            "smtp_reply": message.gateway_reply,
            "accepted_at": message.delivered_at.isoformat() if message.delivered_at else None,
        }
    delivered = [report for report in message.reports if report.get("type") == 1]
    return {"to": message.to_number, "delivery_report": delivered[:1]}


def _record_arrival(db_session: Session, attempt: DeliveryAttempt, message: SmsOutbox) -> None:
    notice = db_session.scalars(
        select(ElectronicNotice).where(ElectronicNotice.attempt_id == attempt.id)
    ).first()
    evidence = _store(db_session, message, "arrival", _arrival(message))
    if message.delivered_at is not None:
        record_fact(
            db_session=db_session,
            attempt=attempt,
            key="arrived_at",
            value=message.delivered_at,
            evidence=evidence,
            system=SYSTEM,
        )
    if notice is None or not notice.address_confirmed or message.delivered_at is None:
        return  # not at a confirmed address: service waits for the party's reply or first view
    record_fact(
        db_session=db_session,
        attempt=attempt,
        key="confirmed_address_arrival_at",
        value=message.delivered_at,
        evidence=evidence,
        system=SYSTEM,
    )
    serving.serve_attempt(db_session=db_session, actor=None, attempt=attempt, outcome=AttemptOutcome.served)


def on_message_progress(*, db_session: Session, message_id: int) -> None:
    """Record what MESSAGE_ID's progress means for its electronic attempt."""
    message = db_session.get_one(SmsOutbox, message_id)
    locked = select(DeliveryAttempt).where(DeliveryAttempt.id == message.attempt_id).with_for_update()
    attempt = db_session.scalars(locked).first()
    if attempt is None or attempt.method is not DeliveryMethod.electronic:
        return
    db_session.refresh(message)
    if attempt.status is not AttemptStatus.in_progress:
        return  # served another way, cancelled, or already decided by an earlier report
    if message.sent_at is not None:
        _record_sending(db_session, attempt, message)
    if message.status is SmsStatus.delivered:
        _record_arrival(db_session, attempt, message)
    elif message.status is SmsStatus.failed:
        _store(db_session, message, "failure", {"error": message.error, "reports": message.reports})
        label = CHANNEL_LABELS[message.channel]
        _fail(db_session, attempt, AttemptOutcome.unreachable, f"{label}送达失败：{message.error}")
