"""Attempts: planning one, and moving it through its state machine with the delivery in step.

The first attempt that starts puts the delivery in progress. Only the attempt's channel can declare it
succeeded (backend.deliveries.serving, once every required fact is recorded); a failure is answered by the
router, which plans what follows. A served or cancelled delivery takes no new attempt.
"""

from datetime import date, datetime

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core import signals
from backend.core.errors import InvalidRequest, RuleViolation
from backend.database import utcnow
from backend.deliveries.enums import (
    DELIVERY_STATUS_LABELS,
    AttemptOutcome,
    AttemptStatus,
    DeliveryMethod,
    DeliveryStatus,
)
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.service import audit_change, close_open_attempts
from backend.deliveries.signals import AttemptSucceeded
from backend.deliveries.state import is_terminal_delivery
from backend.parties.models import ContactPoint

SUCCESS_ONLY_BY_CHANNEL = (
    "送达成功须由送达方式核对全部送达要件后认定，不能直接修改状态；"
    "请登记送达结果（POST /api/attempts/{id}/serve）"
)


def _refuse_if_finished(delivery: Delivery) -> None:
    if is_terminal_delivery(delivery.status):
        label = DELIVERY_STATUS_LABELS[delivery.status]
        raise RuleViolation(f"送达任务{label}，不能再进行送达尝试")


def add_attempt(
    *,
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    method: DeliveryMethod,
    planned_at: datetime | None = None,
    notes: str | None = None,
    contact_point_id: int | None = None,
    start_by: datetime | None = None,
) -> DeliveryAttempt:
    """Plan an attempt by METHOD, optionally at one of the party's contact points and with a start-by."""
    _refuse_if_finished(delivery)
    if contact_point_id is not None:
        contact_point = db_session.get(ContactPoint, contact_point_id)
        if contact_point is None or contact_point.party_id != delivery.party_id:
            raise InvalidRequest("联系方式不属于该送达对象")
    attempt = DeliveryAttempt(
        method=method,
        status=AttemptStatus.planned,
        planned_at=planned_at,
        start_by=start_by,
        notes=notes,
        contact_point_id=contact_point_id,
        performed_by_user_id=actor.id if actor else None,
    )
    delivery.attempts.append(attempt)
    db_session.flush()
    audit_change(
        db_session=db_session,
        actor=actor,
        action="attempt_created",
        target=attempt,
        detail={"method": method.value},
    )
    return attempt


def _start(attempt: DeliveryAttempt, actor: User) -> None:
    delivery = attempt.delivery
    _refuse_if_finished(delivery)
    attempt.transition(AttemptStatus.in_progress)
    attempt.started_at = utcnow()
    attempt.performed_by_user_id = actor.id
    if delivery.status is not DeliveryStatus.in_progress:
        delivery.transition(DeliveryStatus.in_progress)


def succeed(attempt: DeliveryAttempt, outcome: AttemptOutcome, legal_service_date: date) -> None:
    """Mark ATTEMPT succeeded and its delivery served; only backend.deliveries.serving calls this."""
    attempt.transition(AttemptStatus.succeeded)
    delivery = attempt.delivery
    delivery.transition(DeliveryStatus.served)
    attempt.outcome = outcome
    attempt.ended_at = attempt.ended_at or utcnow()
    attempt.legal_service_date = legal_service_date
    delivery.served_method = attempt.method
    delivery.served_at = attempt.ended_at
    delivery.legal_service_date = legal_service_date
    close_open_attempts(delivery=delivery, keep=attempt)


def start(attempt: DeliveryAttempt, actor: User) -> None:
    """Put a planned attempt in progress (and its delivery with it)."""
    _start(attempt, actor)


def _end(attempt: DeliveryAttempt, status: AttemptStatus, outcome: AttemptOutcome | None) -> None:
    attempt.transition(status)
    attempt.ended_at = utcnow()
    if outcome is not None:
        attempt.outcome = outcome


def transition_attempt(
    *,
    db_session: Session,
    actor: User,
    attempt: DeliveryAttempt,
    status: AttemptStatus,
    outcome: AttemptOutcome | None = None,
    notes: str | None = None,
) -> DeliveryAttempt:
    """Start, fail or cancel an attempt through the state machine; success only through its channel.
    (backend.deliveries.planning.fail_and_plan_next also asks the router what follows a failure.)"""
    previous = attempt.status
    if status is AttemptStatus.succeeded:
        raise RuleViolation(SUCCESS_ONLY_BY_CHANNEL)
    if status is AttemptStatus.in_progress:
        _start(attempt, actor)
    else:
        _end(attempt, status, outcome)
    if notes:
        attempt.notes = f"{attempt.notes}\n{notes}" if attempt.notes else notes
    audit_transition(db_session=db_session, actor=actor, attempt=attempt, previous=previous)
    return attempt


def audit_transition(
    *, db_session: Session, actor: User | None, attempt: DeliveryAttempt, previous: AttemptStatus
) -> None:
    detail = {
        "from": previous.value,
        "to": attempt.status.value,
        "outcome": attempt.outcome.value if attempt.outcome else None,
        "delivery_status": attempt.delivery.status.value,
    }
    audit_change(
        db_session=db_session, actor=actor, action="attempt_transition", target=attempt, detail=detail
    )


def announce_success(db_session: Session, attempt: DeliveryAttempt) -> None:
    signals.announce(db_session, AttemptSucceeded(attempt_id=attempt.id))
