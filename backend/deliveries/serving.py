"""Declaring an attempt served: only through its channel, only with every fact its method requires."""

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import RuleViolation
from backend.database import utcnow
from backend.deliveries import attempts as attempt_service
from backend.deliveries.channels import MissingFacts, channel_for
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import DeliveryAttempt


def serve_attempt(
    *, db_session: Session, actor: User | None, attempt: DeliveryAttempt, outcome: AttemptOutcome
) -> DeliveryAttempt:
    """Succeed ATTEMPT with OUTCOME; 409 (RuleViolation) naming each missing fact until all are recorded."""
    channel = channel_for(attempt.method)
    required = channel.required_facts(outcome)
    channel.check_documents(attempt.delivery)
    if attempt.status is not AttemptStatus.in_progress:
        raise RuleViolation("只有进行中的送达尝试才能登记送达成功")
    channel.gather_facts(db_session=db_session, attempt=attempt, actor=actor)
    facts = recorded_facts(db_session=db_session, attempt_id=attempt.id)
    missing = [fact for fact in required if not fact.satisfied_by(facts)]
    if missing:
        raise MissingFacts(attempt.method, missing)
    attempt.ended_at = attempt.ended_at or utcnow()
    legal_date = channel.legal_service_date(attempt=attempt, facts=facts)
    previous = attempt.status
    attempt_service.succeed(attempt, outcome, legal_date)
    attempt_service.audit_transition(db_session=db_session, actor=actor, attempt=attempt, previous=previous)
    attempt_service.announce_success(db_session, attempt)
    return attempt
