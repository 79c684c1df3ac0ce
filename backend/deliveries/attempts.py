"""Attempts: planning one, and moving it through its state machine with the delivery in step.

The first attempt that starts puts the delivery in progress; a succeeded attempt serves it. A served or
cancelled delivery takes no new attempt.
"""

from datetime import date, datetime

from sqlalchemy.orm import Session

from backend import taskqueue
from backend.auth.models import User
from backend.core.clock import court_today
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
from backend.deliveries.state import is_terminal_delivery
from backend.documents.enums import NOT_SERVABLE_BY_PHONE
from backend.evidence.proof_flow import PROOF_TASK
from backend.parties.models import ContactPoint

# Outcomes that can end a succeeded attempt: served, left after refusal (留置送达), and postal mail
# returned or refused at a confirmed address (served on the return date).
SERVING_OUTCOMES = frozenset(
    {AttemptOutcome.served, AttemptOutcome.left_with_refusal, AttemptOutcome.returned, AttemptOutcome.refused}
)


def _refuse_if_finished(delivery: Delivery) -> None:
    if is_terminal_delivery(delivery.status):
        label = DELIVERY_STATUS_LABELS[delivery.status]
        raise RuleViolation(f"送达任务{label}，不能再进行送达尝试")


def add_attempt(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    method: DeliveryMethod,
    planned_at: datetime | None = None,
    notes: str | None = None,
    contact_point_id: int | None = None,
) -> DeliveryAttempt:
    """Plan an attempt by METHOD, optionally at one of the party's contact points."""
    _refuse_if_finished(delivery)
    if contact_point_id is not None:
        contact_point = db_session.get(ContactPoint, contact_point_id)
        if contact_point is None or contact_point.party_id != delivery.party_id:
            raise InvalidRequest("联系方式不属于该送达对象")
    attempt = DeliveryAttempt(
        method=method,
        status=AttemptStatus.planned,
        planned_at=planned_at,
        notes=notes,
        contact_point_id=contact_point_id,
        performed_by_user_id=actor.id,
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


def _check_serving(attempt: DeliveryAttempt, outcome: AttemptOutcome) -> None:
    if outcome not in SERVING_OUTCOMES:
        raise InvalidRequest(f"结果「{outcome.value}」不能作为送达成功的结果")
    if attempt.method is DeliveryMethod.phone and any(
        document.kind in NOT_SERVABLE_BY_PHONE for document in attempt.delivery.documents
    ):
        raise RuleViolation("判决书、裁定书、调解书不能电话送达")


def _succeed(attempt: DeliveryAttempt, outcome: AttemptOutcome, legal_service_date: date | None) -> None:
    _check_serving(attempt, outcome)
    attempt.transition(AttemptStatus.succeeded)
    delivery = attempt.delivery
    delivery.transition(DeliveryStatus.served)
    now = utcnow()
    attempt.outcome = outcome
    attempt.ended_at = now
    attempt.legal_service_date = legal_service_date or court_today()
    delivery.served_method = attempt.method
    delivery.served_at = now
    delivery.legal_service_date = attempt.legal_service_date
    close_open_attempts(delivery=delivery, keep=attempt)


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
    legal_service_date: date | None = None,
    notes: str | None = None,
) -> DeliveryAttempt:
    """Move an attempt to STATUS through the state machine, and its delivery with it."""
    previous = attempt.status
    if status is AttemptStatus.in_progress:
        _start(attempt, actor)
    elif status is AttemptStatus.succeeded:
        _succeed(attempt, outcome or AttemptOutcome.served, legal_service_date)
        taskqueue.enqueue_after_commit(db_session, PROOF_TASK, attempt_id=attempt.id)
    else:
        _end(attempt, status, outcome)
    if notes:
        attempt.notes = f"{attempt.notes}\n{notes}" if attempt.notes else notes
    detail = {
        "from": previous.value,
        "to": status.value,
        "outcome": attempt.outcome.value if attempt.outcome else None,
        "delivery_status": attempt.delivery.status.value,
    }
    audit_change(
        db_session=db_session, actor=actor, action="attempt_transition", target=attempt, detail=detail
    )
    return attempt
