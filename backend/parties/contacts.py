"""Changing a party's contact points as staff learn about them: verified, invalid, or a new one the party
gave (on a call, at the window, in the portal). Every change is a ContactPointEvent in the point's history,
with its source."""

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.parties.enums import ContactEventKind, ContactKind, ContactState
from backend.parties.models import ContactPoint, ContactPointEvent, Party

_EVENT_FOR_STATE = {
    ContactState.verified: ContactEventKind.verified,
    ContactState.invalid: ContactEventKind.invalidated,
    ContactState.unverified: ContactEventKind.reinstated,
}


def mark_contact_point(
    *, contact_point: ContactPoint, state: ContactState, actor: User | None, note: str, source: str
) -> None:
    """Set the state and write the history event (nothing when the state is already STATE)."""
    if contact_point.state is state:
        return
    contact_point.state = state
    contact_point.history.append(
        ContactPointEvent(
            kind=_EVENT_FOR_STATE[state], source=source, note=note, actor_user_id=actor.id if actor else None
        )
    )


def normalise(kind: ContactKind, value: str) -> str:
    """The comparable form of a contact value: digits of a phone, a lower-case e-mail, single spaces."""
    cleaned = value.strip()
    if kind is ContactKind.phone:
        return "".join(ch for ch in cleaned if ch.isdigit())
    if kind is ContactKind.email:
        return cleaned.lower()
    return " ".join(cleaned.split())


def confirm_contact_point(
    *,
    db_session: Session,
    party: Party,
    kind: ContactKind,
    value: str,
    actor: User | None,
    note: str,
    source: str,
) -> ContactPoint:
    """The party's contact point KIND/VALUE, added if new, marked verified: the party confirmed it."""
    value = normalise(kind, value)
    contact_point = next(
        (cp for cp in party.contact_points if cp.kind is kind and normalise(kind, cp.value) == value), None
    )
    if contact_point is None:
        contact_point = ContactPoint(kind=kind, value=value, source=source, listed_by_source=False)
        contact_point.history.append(
            ContactPointEvent(
                kind=ContactEventKind.added,
                source=source,
                note=note,
                actor_user_id=actor.id if actor else None,
            )
        )
        party.contact_points.append(contact_point)
    mark_contact_point(
        contact_point=contact_point, state=ContactState.verified, actor=actor, note=note, source=source
    )
    db_session.flush()
    return contact_point
