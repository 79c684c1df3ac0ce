"""Portal sessions and what they may see. A session names the contact detail its party proved (a mobile
number or e-mail address, or a WeChat bound to a number) and the parties on file with it; it reaches only
the deliveries sent electronically to those parties and their documents. Its token is random, stored as a
hash, carried in its own cookie, and means nothing to the staff API."""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.core.errors import NotVisible
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.documents.models import Document
from backend.electronic.models import ElectronicNotice
from backend.parties import contacts
from backend.parties.enums import ContactKind, ContactState
from backend.parties.models import ContactPoint
from backend.portal.models import PortalSession

COOKIE = "songda_portal"


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(f"portal:{raw_token}".encode()).hexdigest()


def parties_at(*, db_session: Session, kind: ContactKind, address: str) -> list[int]:
    """The parties with ADDRESS on file (not marked invalid) who were sent something electronically."""
    query = (
        select(ContactPoint.party_id)
        .join(Delivery, Delivery.party_id == ContactPoint.party_id)
        .join(DeliveryAttempt, DeliveryAttempt.delivery_id == Delivery.id)
        .join(ElectronicNotice, ElectronicNotice.attempt_id == DeliveryAttempt.id)
        .where(
            ContactPoint.kind == kind,
            ContactPoint.value == contacts.normalise(kind, address),
            ContactPoint.state != ContactState.invalid,
        )
        .distinct()
    )
    return sorted(db_session.scalars(query))


def open_session(
    *,
    db_session: Session,
    kind: ContactKind,
    address: str,
    party_ids: list[int],
    client_ip: str,
    user_agent: str,
    now: datetime,
    wechat_openid: str | None = None,
) -> tuple[PortalSession, str]:
    """A new session for the parties at ADDRESS; returns it and the raw token (shown once, in the cookie)."""
    raw = secrets.token_urlsafe(32)
    session = PortalSession(
        token_hash=token_digest(raw),
        kind=kind,
        address=address,
        party_ids=party_ids,
        wechat_openid=wechat_openid,
        client_ip=client_ip,
        user_agent=user_agent[:300],
        created_at=now,
        expires_at=now + timedelta(minutes=get_settings().portal_session_minutes),
    )
    db_session.add(session)
    db_session.flush()
    return session, raw


def session_for_token(*, db_session: Session, raw_token: str, now: datetime) -> PortalSession | None:
    query = select(PortalSession).where(PortalSession.token_hash == token_digest(raw_token))
    session = db_session.scalar(query)
    if session is None or session.ended_at is not None or session.expires_at <= now:
        return None
    return session


def end_session(*, session: PortalSession, now: datetime) -> None:
    session.ended_at = now


def visible_deliveries(*, db_session: Session, session: PortalSession) -> list[Delivery]:
    """The session's parties' deliveries that were sent to them electronically, newest first."""
    noticed = (
        select(DeliveryAttempt.delivery_id)
        .join(ElectronicNotice, ElectronicNotice.attempt_id == DeliveryAttempt.id)
        .where(DeliveryAttempt.method == DeliveryMethod.electronic)
    )
    query = (
        select(Delivery)
        .where(Delivery.party_id.in_(session.party_ids), Delivery.id.in_(noticed))
        .order_by(Delivery.id.desc())
    )
    return list(db_session.scalars(query))


def visible_delivery(*, db_session: Session, session: PortalSession, delivery_id: int) -> Delivery:
    """One of the session's deliveries; NotVisible (404) for any other, existing or not."""
    for delivery in visible_deliveries(db_session=db_session, session=session):
        if delivery.id == delivery_id:
            return delivery
    raise NotVisible("送达文书")


def visible_document(
    *, db_session: Session, session: PortalSession, delivery_id: int, document_id: int
) -> tuple[Delivery, Document]:
    delivery = visible_delivery(db_session=db_session, session=session, delivery_id=delivery_id)
    for document in delivery.documents:
        if document.id == document_id:
            return delivery, document
    raise NotVisible("送达文书")


def electronic_attempt(delivery: Delivery) -> DeliveryAttempt | None:
    """The delivery's latest electronic attempt that sent a notice (the one the party's acts belong to)."""
    attempts = [attempt for attempt in delivery.attempts if attempt.method is DeliveryMethod.electronic]
    return max(attempts, key=lambda attempt: attempt.id, default=None)


def notice_for_link(*, db_session: Session, token: str, now: datetime) -> ElectronicNotice:
    """The notice a personal link names, while the link lasts; NotVisible otherwise (never says which)."""
    notice = db_session.scalar(select(ElectronicNotice).where(ElectronicNotice.link_token == token))
    if notice is None or notice.created_at + timedelta(days=get_settings().portal_link_days) <= now:
        raise NotVisible("链接")
    return notice
