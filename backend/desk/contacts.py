"""What a call teaches about a party's contact points: verified, invalid, or a new one given on the phone.
Every change is a ContactPointEvent in the contact point's history."""

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.parties.enums import ContactEventKind, ContactKind, ContactState
from backend.parties.models import ContactPoint, ContactPointEvent, Party

DESK_SOURCE = "desk_call"
_EVENT_FOR_STATE = {
    ContactState.verified: ContactEventKind.verified,
    ContactState.invalid: ContactEventKind.invalidated,
    ContactState.unverified: ContactEventKind.reinstated,
}


def mark_contact_point(*, contact_point: ContactPoint, state: ContactState, actor: User, note: str) -> None:
    """Set the state and write the history event (nothing when the state is already STATE)."""
    if contact_point.state is state:
        return
    contact_point.state = state
    contact_point.history.append(
        ContactPointEvent(kind=_EVENT_FOR_STATE[state], source=DESK_SOURCE, note=note, actor_user_id=actor.id)
    )


def normalise(kind: ContactKind, value: str) -> str:
    cleaned = value.strip()
    if kind is ContactKind.phone:
        return "".join(ch for ch in cleaned if ch.isdigit())
    if kind is ContactKind.email:
        return cleaned.lower()
    return " ".join(cleaned.split())


def confirm_contact_point(
    *, db_session: Session, party: Party, kind: ContactKind, value: str, actor: User, note: str
) -> ContactPoint:
    """The party's contact point KIND/VALUE, added if new, marked verified: the party confirmed it."""
    value = normalise(kind, value)
    contact_point = next(
        (cp for cp in party.contact_points if cp.kind is kind and normalise(kind, cp.value) == value), None
    )
    if contact_point is None:
        contact_point = ContactPoint(kind=kind, value=value, source=DESK_SOURCE, listed_by_source=False)
        contact_point.history.append(
            ContactPointEvent(
                kind=ContactEventKind.added, source=DESK_SOURCE, note=note, actor_user_id=actor.id
            )
        )
        party.contact_points.append(contact_point)
    mark_contact_point(contact_point=contact_point, state=ContactState.verified, actor=actor, note=note)
    db_session.flush()
    return contact_point
