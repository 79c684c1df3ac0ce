"""Text messages queued for the SMS gateway, and the texts they carry: the pickup appointment confirmation."""

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.deliveries.models import Delivery
from backend.messaging.models import SmsOutbox
from backend.pickup.models import PickupSlot
from backend.pickup.service import local_span

PICKUP_CONFIRMATION = "pickup_confirmation"


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
    *, db_session: Session, actor: User | None, delivery: Delivery, to_number: str, text: str, purpose: str
) -> SmsOutbox:
    """Queue TEXT to TO_NUMBER for the SMS gateway, filed under the delivery and its case."""
    message = SmsOutbox(
        to_number=to_number,
        text=text,
        purpose=purpose,
        case_id=delivery.case_id,
        delivery_id=delivery.id,
        created_by_user_id=actor.id if actor else None,
    )
    db_session.add(message)
    db_session.flush()
    return message
