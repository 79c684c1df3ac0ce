"""A returned e-mail becomes an agent's task: the party's mailbox refused the court's mail (a DSN read by
`songda mail bounce`), the electronic attempt has failed and the router planned the next method; an agent
should still find a working address or reach the party. The task is a callback due now on the delivery,
its note saying what came back and why; the desk offers it first, even while the next method is under way
(backend.desk.queue). A mailbox that does not exist (DSN status 5.1.x) marks that address invalid in the
party's contact history, so it is not planned again."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.deliveries.models import Delivery
from backend.desk.enums import CallbackKind
from backend.desk.models import Callback
from backend.messaging.models import SmsOutbox
from backend.parties import contacts
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint, Party

SOURCE = "email_bounce"


def _address(db_session: Session, party_id: int, address: str) -> ContactPoint | None:
    party = db_session.get_one(Party, party_id)
    wanted = contacts.normalise(ContactKind.email, address)
    return next(
        (
            point
            for point in party.contact_points
            if point.kind is ContactKind.email and contacts.normalise(point.kind, point.value) == wanted
        ),
        None,
    )


def _address_is_wrong(reason: str) -> bool:
    """A permanent addressing failure (RFC 3463 status 5.1.x: no such mailbox, no such domain...); a full
    mailbox or a policy refusal says nothing against the address."""
    return reason.removeprefix("邮件被退回：").strip().startswith("5.1.")


def bounce_task(*, db_session: Session, message_id: int, now: datetime) -> Callback | None:
    """The desk task for the returned e-mail MESSAGE_ID (one open task per delivery; None: no delivery)."""
    message = db_session.get(SmsOutbox, message_id)
    if message is None or message.delivery_id is None:
        return None
    open_task = select(Callback).where(
        Callback.delivery_id == message.delivery_id,
        Callback.kind == CallbackKind.bounced,
        Callback.done_at.is_(None),
    )
    existing = db_session.scalars(open_task).first()
    if existing is not None:
        return existing
    reason = message.error or "邮件被退回"
    delivery = db_session.get_one(Delivery, message.delivery_id)
    point = _address(db_session, delivery.party_id, message.to_number)
    if point is not None and _address_is_wrong(reason):
        contacts.mark_contact_point(
            contact_point=point, state=ContactState.invalid, actor=None, note=reason, source=SOURCE
        )
    why = reason.removeprefix("邮件被退回：")
    note = f"发往 {message.to_number} 的电子邮件被退回（{why}），请核实邮箱或电话联系当事人"
    task = Callback(
        delivery_id=message.delivery_id,
        kind=CallbackKind.bounced,
        due_at=now,
        note=note[:300],
        contact_point_id=point.id if point else None,
        attempt_id=message.attempt_id,
    )
    db_session.add(task)
    db_session.flush()
    return task
