"""The phone attempt behind a desk call: started (or reused) when the agent dials, closed with its calls'
outcome when the task is given up. State changes go through the deliveries' attempt service."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.calls.models import CallRecord
from backend.calls.outcomes import attempt_outcome
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.parties.models import ContactPoint


def open_phone_attempt(delivery: Delivery, user_id: int) -> DeliveryAttempt | None:
    """The phone attempt in progress that USER_ID is making on DELIVERY."""
    current = [
        a
        for a in delivery.attempts
        if a.method is DeliveryMethod.phone
        and a.status is AttemptStatus.in_progress
        and a.performed_by_user_id == user_id
    ]
    return current[-1] if current else None


def _planned_phone_attempt(delivery: Delivery, contact_point_id: int) -> DeliveryAttempt | None:
    planned = [
        a
        for a in delivery.attempts
        if a.method is DeliveryMethod.phone
        and a.status is AttemptStatus.planned
        and a.contact_point_id in (None, contact_point_id)
    ]
    return planned[0] if planned else None


def calls_of(db_session: Session, attempt: DeliveryAttempt) -> list[CallRecord]:
    query = select(CallRecord).where(CallRecord.delivery_attempt_id == attempt.id).order_by(CallRecord.id)
    return list(db_session.scalars(query))


def attempt_for_call(
    *, db_session: Session, actor: User, delivery: Delivery, contact_point: ContactPoint
) -> DeliveryAttempt:
    """The in-progress phone attempt to attach a call to CONTACT_POINT: the current one, a planned one
    (a callback), or a new one; a current attempt on another number is closed first."""
    current = open_phone_attempt(delivery, actor.id)
    if current is not None and current.contact_point_id == contact_point.id:
        return current
    if current is not None:
        close_attempt_from_calls(db_session=db_session, actor=actor, attempt=current)
    attempt = _planned_phone_attempt(delivery, contact_point.id)
    if attempt is None:
        attempt = attempt_service.add_attempt(
            db_session=db_session,
            actor=actor,
            delivery=delivery,
            method=DeliveryMethod.phone,
            contact_point_id=contact_point.id,
        )
    attempt.contact_point_id = contact_point.id
    attempt_service.transition_attempt(
        db_session=db_session, actor=actor, attempt=attempt, status=AttemptStatus.in_progress
    )
    return attempt


def outcome_from_calls(db_session: Session, attempt: DeliveryAttempt) -> AttemptOutcome | None:
    """The outcome the attempt's last finished call implies, if any call finished."""
    finished = [record for record in calls_of(db_session, attempt) if record.outcome is not None]
    return attempt_outcome(finished[-1].outcome) if finished and finished[-1].outcome else None


def close_attempt_from_calls(
    *, db_session: Session, actor: User, attempt: DeliveryAttempt, note: str | None = None
) -> AttemptOutcome | None:
    """End an attempt left without a disposition: failed with its calls' outcome, or cancelled if none."""
    outcome = outcome_from_calls(db_session, attempt)
    status = AttemptStatus.failed if outcome is not None else AttemptStatus.cancelled
    attempt_service.transition_attempt(
        db_session=db_session, actor=actor, attempt=attempt, status=status, outcome=outcome, notes=note
    )
    return outcome
