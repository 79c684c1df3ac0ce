"""Sending an electronic attempt's notice: the court's 12368-style SMS or an e-mail with the party's
short personal link, to the attempt's contact point, through the messaging outbox."""

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.deliveries.models import AddressConfirmation, Delivery, DeliveryAttempt
from backend.documents.electronic import paper_on_request
from backend.electronic.models import ElectronicNotice
from backend.messaging import service as messaging
from backend.messaging.models import SmsOutbox
from backend.parties import contacts
from backend.parties.enums import ContactKind
from backend.parties.models import ContactPoint

ELECTRONIC_NOTICE = "electronic_notice"


def personal_link(notice: ElectronicNotice) -> str:
    return f"{get_settings().public_base_url.rstrip('/')}/s/{notice.link_token}"


def document_names(delivery: Delivery) -> str:
    return "、".join(document.name for document in delivery.documents) or "诉讼文书"


def paper_note(delivery: Delivery) -> str:
    """The party's right to paper copies of judgments, rulings and mediation documents (CPL art. 90)."""
    names = "、".join(document.name for document in paper_on_request(delivery.documents))
    return f"如需{names}的纸质文书，可在链接页面中申请。" if names else ""


def sms_text(delivery: Delivery, link: str) -> str:
    court, case = delivery.case.court.name, delivery.case.case_number
    return (
        f"【{court}】{delivery.party.name}您好：您有{case}案件的文书（{document_names(delivery)}）送达，"
        f"请点击链接查收：{link} 。{paper_note(delivery)}本短信由法院送达平台12368发出，请勿转发他人。"
    )


def email_text(delivery: Delivery, link: str) -> tuple[str, str]:
    court, case = delivery.case.court.name, delivery.case.case_number
    subject = f"{court}电子送达：{case}案件文书"
    paper = paper_note(delivery) or "如需纸质文书，可在页面中申请。"
    body = (
        f"{delivery.party.name}：\n\n{court}向您送达{case}案件的以下文书：{document_names(delivery)}。\n"
        f"请打开以下链接查收（仅限本人使用）：\n{link}\n\n{paper}\n{court}\n"
    )
    return subject, body


def confirmation_for(db_session: Session, party_id: int, point: ContactPoint) -> AddressConfirmation | None:
    """The party's 送达地址确认书 that consents to e-delivery at exactly this number or address."""
    query = (
        select(AddressConfirmation)
        .where(AddressConfirmation.party_id == party_id, AddressConfirmation.consents_to_electronic)
        .order_by(AddressConfirmation.confirmed_at.desc())
    )
    wanted = contacts.normalise(point.kind, point.value)
    for confirmation in db_session.scalars(query):
        confirmed = confirmation.mobile if point.kind is ContactKind.phone else confirmation.email
        if confirmed and contacts.normalise(point.kind, confirmed) == wanted:
            return confirmation
    return None


def send_notice(*, db_session: Session, attempt: DeliveryAttempt, point: ContactPoint) -> SmsOutbox:
    """Queue the notice of ATTEMPT to POINT (a mobile number or an e-mail address)."""
    delivery = attempt.delivery
    confirmation = confirmation_for(db_session, delivery.party_id, point)
    notice = ElectronicNotice(
        attempt_id=attempt.id,
        link_token=secrets.token_urlsafe(12),
        address=contacts.normalise(point.kind, point.value),
        address_confirmed=confirmation is not None,
        confirmation_evidence_id=confirmation.evidence_id if confirmation else None,
    )
    db_session.add(notice)
    db_session.flush()
    link = personal_link(notice)
    if point.kind is ContactKind.email:
        subject, body = email_text(delivery, link)
        return messaging.queue_email(
            db_session=db_session,
            actor=None,
            delivery=delivery,
            to_address=notice.address,
            subject=subject,
            text=body,
            purpose=ELECTRONIC_NOTICE,
            attempt_id=attempt.id,
        )
    return messaging.queue_sms(
        db_session=db_session,
        actor=None,
        delivery=delivery,
        to_number=notice.address,
        text=sms_text(delivery, link),
        purpose=ELECTRONIC_NOTICE,
        attempt_id=attempt.id,
    )
