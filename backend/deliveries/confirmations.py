"""送达地址确认书: a party's confirmed service addresses and consent to e-delivery, resting on evidence."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.core.errors import InvalidRequest
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import AddressConfirmation, Delivery
from backend.parties import contacts
from backend.parties.enums import ContactKind


@dataclass(frozen=True, slots=True)
class ConfirmedAddresses:
    """What the party wrote on a 送达地址确认书, wherever they signed it."""

    postal_address: str | None
    mobile: str | None
    email: str | None
    consents_to_electronic: bool

    def check(self) -> None:
        """Refuse a form that confirms nothing, or consents to e-delivery with nowhere to receive it."""
        if not (self.postal_address or self.mobile or self.email):
            raise InvalidRequest("送达地址确认书须至少填写送达地址、手机或电子邮箱之一")
        if self.consents_to_electronic and not (self.mobile or self.email):
            raise InvalidRequest("同意电子送达须填写接收的手机号码或电子邮箱")

    def text(self) -> str:
        parts = [
            f"送达地址：{self.postal_address}" if self.postal_address else None,
            f"手机：{self.mobile}" if self.mobile else None,
            f"电子邮箱：{self.email}" if self.email else None,
            f"同意电子送达：{'是' if self.consents_to_electronic else '否'}",
        ]
        return "；".join(part for part in parts if part)


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


def confirm_signed_addresses(
    *,
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    obtained_via: DeliveryMethod,
    evidence_id: int,
    confirmed: ConfirmedAddresses,
    note: str,
    source: str,
) -> AddressConfirmation:
    """The party signed a 送达地址确认书 (EVIDENCE_ID): recorded for later deliveries, and each address on it
    marked verified in the party's contact points (added if new), with NOTE and SOURCE in their history."""
    confirmation = record_address_confirmation(
        db_session=db_session,
        actor=actor,
        delivery=delivery,
        obtained_via=obtained_via,
        evidence_id=evidence_id,
        postal_address=confirmed.postal_address,
        mobile=confirmed.mobile,
        email=confirmed.email,
        consents_to_electronic=confirmed.consents_to_electronic,
    )
    for kind, value in (
        (ContactKind.address, confirmed.postal_address),
        (ContactKind.phone, confirmed.mobile),
        (ContactKind.email, confirmed.email),
    ):
        if value:
            contacts.confirm_contact_point(
                db_session=db_session,
                party=delivery.party,
                kind=kind,
                value=value,
                actor=actor,
                note=note,
                source=source,
            )
    return confirmation
