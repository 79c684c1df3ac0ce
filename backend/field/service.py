"""Planning a visit in person."""

from datetime import datetime

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.router import SWITCH_WITHIN
from backend.parties.enums import ContactKind
from backend.parties.models import usable_contact_points


def plan_visit(
    *, db_session: Session, actor: User, delivery: Delivery, notes: str | None, now: datetime
) -> DeliveryAttempt:
    """Plan a visit to the party's best known address, due within 24 hours, with the reason for it."""
    notes = (notes or "").strip()
    if not notes:
        raise InvalidRequest("请填写外出送达说明")
    addresses = usable_contact_points(delivery.party, ContactKind.address)
    return attempt_service.add_attempt(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        method=DeliveryMethod.field,
        planned_at=now,
        start_by=now + SWITCH_WITHIN,
        contact_point_id=addresses[0].id if addresses else None,
        notes=notes,
    )
