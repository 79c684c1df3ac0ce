"""Which contact point a demo attempt uses, and what its outcome teaches about that contact point."""

from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod
from backend.demo.people import PartyPlan
from backend.demo.plan import AttemptPlan
from backend.parties.enums import ContactEventKind, ContactKind, ContactState

# Phone outcomes that mean the party answered on that number.
ANSWERED = frozenset(
    {
        AttemptOutcome.served,
        AttemptOutcome.answered,
        AttemptOutcome.electronic_consent,
        AttemptOutcome.pickup_booked,
        AttemptOutcome.address_confirmed,
        AttemptOutcome.callback_requested,
        AttemptOutcome.field_visit_needed,
    }
)
_KIND_FOR_METHOD = {
    DeliveryMethod.phone: (ContactKind.phone,),
    DeliveryMethod.electronic: (ContactKind.email, ContactKind.phone),
    DeliveryMethod.postal: (ContactKind.address,),
    DeliveryMethod.field: (ContactKind.address,),
}


def contact_for(party: PartyPlan, method: DeliveryMethod) -> int | None:
    """The party's first usable contact point for METHOD (pickup and notice need none).

    A field officer still visits the address that returned the mail: returned mail proves nobody signed.
    """
    for kind in _KIND_FOR_METHOD.get(method, ()):
        index = party.first(kind)
        if index is not None:
            return index
    if method is DeliveryMethod.field:
        return party.first(ContactKind.address, usable=False)
    return None


def apply_outcome(party: PartyPlan, attempt: AttemptPlan) -> None:
    """Verify or invalidate the contact point the finished ATTEMPT used."""
    if attempt.contact is None or attempt.ended_at is None:
        return
    contact = party.contacts[attempt.contact]
    outcome, at = attempt.outcome, attempt.ended_at
    if attempt.method is DeliveryMethod.phone and outcome is AttemptOutcome.wrong_number:
        contact.mark(ContactState.invalid, ContactEventKind.invalidated, at, "空号或非本人号码")
    elif attempt.method is DeliveryMethod.phone and outcome in ANSWERED:
        contact.mark(ContactState.verified, ContactEventKind.verified, at, "电话接通，当事人确认")
    elif attempt.method is DeliveryMethod.postal and outcome is AttemptOutcome.returned:
        if attempt.status is AttemptStatus.failed:
            contact.mark(ContactState.invalid, ContactEventKind.invalidated, at, "邮件退回：查无此人")
    elif attempt.status is AttemptStatus.succeeded:
        contact.mark(ContactState.verified, ContactEventKind.verified, at, "送达成功")
