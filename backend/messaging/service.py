"""Messages queued for the SMS and e-mail gateways, and the texts they carry: the pickup appointment
confirmation. Every message queued here is sent by backend.messaging.sending after the transaction commits
(and by the periodic pass if that send could not reach the gateway)."""

import secrets

from sqlalchemy.orm import Session

from backend import taskqueue
from backend.auth.models import User
from backend.deliveries.models import Delivery
from backend.messaging.enums import MessageChannel
from backend.messaging.models import SmsOutbox
from backend.pickup.models import PickupSlot
from backend.pickup.service import local_span

PICKUP_CONFIRMATION = "pickup_confirmation"
SEND_MESSAGE_TASK = "backend.messaging.tasks.send_message_task"


def pickup_confirmation_text(*, delivery: Delivery, slot: PickupSlot, code: str | None = None) -> str:
    """The confirmation of a booked pickup slot: where, when, which documents, the code, what to bring."""
    code_text = f"预约码{code}，" if code else ""
    court = delivery.case.court.name
    where = slot.window.name + (f"（{slot.window.location}）" if slot.window.location else "")
    documents = "、".join(document.name for document in delivery.documents) or "诉讼文书"
    return (
        f"【{court}】{delivery.party.name}您好：您已预约于{local_span(slot)}到{court}{where}"
        f"领取{delivery.case.case_number}案件的{documents}。{code_text}请携带本人有效身份证件按时前往；"
        f"如需改约，请致电本院诉讼服务中心。"
    )


def queue_sms(
    *,
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    to_number: str,
    text: str,
    purpose: str,
    attempt_id: int | None = None,
) -> SmsOutbox:
    """Queue TEXT to TO_NUMBER for the SMS gateway, filed under the delivery and its case."""
    return _queue(db_session, actor, delivery, MessageChannel.sms, to_number, None, text, purpose, attempt_id)


def queue_email(
    *,
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    to_address: str,
    subject: str,
    text: str,
    purpose: str,
    attempt_id: int | None = None,
) -> SmsOutbox:
    """Queue a plain-text e-mail to TO_ADDRESS, filed under the delivery and its case."""
    return _queue(
        db_session, actor, delivery, MessageChannel.email, to_address, subject, text, purpose, attempt_id
    )


def _queue(
    db_session: Session,
    actor: User | None,
    delivery: Delivery,
    channel: MessageChannel,
    to: str,
    subject: str | None,
    text: str,
    purpose: str,
    attempt_id: int | None,
) -> SmsOutbox:
    message = SmsOutbox(
        channel=channel,
        to_number=to,
        subject=subject,
        text=text,
        purpose=purpose,
        case_id=delivery.case_id,
        delivery_id=delivery.id,
        attempt_id=attempt_id,
        dlr_token=secrets.token_urlsafe(24),
        created_by_user_id=actor.id if actor else None,
    )
    db_session.add(message)
    db_session.flush()
    taskqueue.enqueue_after_commit(db_session, SEND_MESSAGE_TASK, message_id=message.id)
    return message
