"""Planning EMS court mail to an address."""

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


def plan_letter(
    *,
    db_session: Session,
    actor: User,
    delivery: Delivery,
    address: ContactPoint,
    now: datetime,
    notes: str,
    confirmation_evidence: Evidence | None = None,
) -> DeliveryAttempt:
    """Plan the letter to ADDRESS, due within 24 hours; with CONFIRMATION_EVIDENCE the address counts as
    confirmed by the party (a letter returned there still serves)."""
    planned = attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.postal,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=address.id,
        notes=notes,
    )
    if confirmation_evidence is not None:
        record_fact(
            db_session=db_session,
            attempt=planned,
            key="address_confirmed",
            value=True,
            evidence=confirmation_evidence,
            actor=actor,
        )
    return planned
