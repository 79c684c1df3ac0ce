"""送达地址确认书: a party's confirmed service addresses and consent to e-delivery, resting on evidence."""

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import AddressConfirmation, Delivery


def record_address_confirmation(
    *,
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    obtained_via: DeliveryMethod,
    evidence_id: int,
    postal_address: str | None = None,
    mobile: str | None = None,
    email: str | None = None,
    consents_to_electronic: bool = False,
) -> AddressConfirmation:
    """Record what the party confirmed, with the evidence item (call record, signed form) it rests on;
    ACTOR None: the party filled it in themselves (the portal)."""
    confirmation = AddressConfirmation(
        party_id=delivery.party_id,
        delivery_id=delivery.id,
        obtained_via=obtained_via,
        evidence_id=evidence_id,
        recorded_by_user_id=actor.id if actor else None,
        postal_address=postal_address,
        mobile=mobile,
        email=email,
        consents_to_electronic=consents_to_electronic,
    )
    db_session.add(confirmation)
    db_session.flush()
    return confirmation
