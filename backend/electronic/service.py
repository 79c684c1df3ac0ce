"""Planning an e-delivery once the party consented to it at confirmed addresses."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN
from backend.evidence.facts import record_fact
from backend.evidence.models import Evidence
from backend.parties.models import ContactPoint


def plan_after_consent(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    address: ContactPoint,
    consent_evidence: Evidence,
    consent_note: str,
    now: datetime,
) -> DeliveryAttempt:
    """Plan the e-delivery to ADDRESS, due within 24 hours; its consent fact rests on CONSENT_EVIDENCE."""
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.electronic,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=address.id,
        notes=consent_note,
    )
    record_fact(
        db_session=db_session,
        attempt=planned,
        key="consent",
        value=consent_note,
        evidence=consent_evidence,
        actor=actor,
    )
    return planned
