"""The task card an agent works from: the delivery, its case, party, documents, every contact point with
its history and the attempts made on it, open callbacks, what to read out, and the lock."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from backend.auth.models import User
from backend.cases.enums import CASE_TYPE_LABELS, CaseType
from backend.cases.models import Case
from backend.core.clock import BEIJING
from backend.core.errors import NotVisible
from backend.deliveries.enums import METHOD_LABELS
from backend.deliveries.models import Delivery, DeliveryAttempt
from backend.deliveries.schemas import AttemptRead, DeliveryRead
from backend.desk import followup
from backend.desk.models import TaskLock
from backend.desk.snapshots import iso
from backend.documents.enums import NOT_SERVABLE_BY_PHONE
from backend.parties.enums import LITIGATION_ROLE_LABELS, PARTY_TYPE_LABELS
from backend.parties.models import ContactPoint, Party


def load_delivery(*, db_session: Session, delivery_id: int) -> Delivery:
    """The delivery with everything the desk works with, or NotVisible."""
    query = (
        select(Delivery)
        .where(Delivery.id == delivery_id)
        .options(
            selectinload(Delivery.case).selectinload(Case.court),
            selectinload(Delivery.party)
            .selectinload(Party.contact_points)
            .selectinload(ContactPoint.history),
            selectinload(Delivery.documents),
            selectinload(Delivery.attempts),
        )
    )
    delivery = db_session.scalar(query)
    if delivery is None:
        raise NotVisible("送达任务")
    return delivery


def _case(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "case_number": case.case_number,
        "case_type": case.case_type.value,
        "case_type_label": CASE_TYPE_LABELS[case.case_type],
        "cause": case.cause,
        "court_name": case.court.name,
        "judge_name": case.judge_name,
        "clerk_name": case.clerk_name,
        "hearing_at": iso(case.hearing_at),
        "service_deadline": case.service_deadline.isoformat() if case.service_deadline else None,
    }


def _party(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "name": party.name,
        "party_type": party.party_type.value,
        "party_type_label": PARTY_TYPE_LABELS[party.party_type],
        "litigation_role": party.litigation_role.value,
        "litigation_role_label": LITIGATION_ROLE_LABELS[party.litigation_role],
    }


def _attempt(attempt: DeliveryAttempt) -> dict[str, Any]:
    data = AttemptRead.model_validate(attempt).model_dump(mode="json")
    return data | {"method_label": METHOD_LABELS[attempt.method]}


def _contact_point(point: ContactPoint, attempts: list[DeliveryAttempt]) -> dict[str, Any]:
    return {
        "id": point.id,
        "kind": point.kind.value,
        "value": point.value,
        "source": point.source,
        "state": point.state.value,
        "history": [
            {"kind": event.kind.value, "source": event.source, "note": event.note, "at": iso(event.at)}
            for event in point.history
        ],
        "attempts": [_attempt(attempt) for attempt in attempts if attempt.contact_point_id == point.id],
    }


def script(delivery: Delivery, agent: User) -> str:
    """What the agent reads out: who calls, about what, and which channel to offer."""
    case, party = delivery.case, delivery.party
    documents = "、".join(document.name for document in delivery.documents) or "诉讼文书"
    lines = [
        f"您好，这里是{case.court.name}一站式送达中心，我是服务专员{agent.full_name}，本次通话将全程录音。",
        f"请问是{party.name}吗？（核实身份：请对方报出身份证号后四位）",
        f"您在{case.case_number}「{case.cause}」一案中有{documents}需要向您送达。",
    ]
    if case.hearing_at is not None:
        lines.append(f"本案开庭时间为{case.hearing_at.astimezone(BEIJING):%Y年%m月%d日 %H:%M}，请准时到庭。")
    if case.case_type is CaseType.commercial:
        lines.append("商事案件优先电子送达：请确认您的手机号或电子邮箱，并同意以电子方式接收文书。")
    else:
        lines.append(
            "您可以选择：① 电子送达（短信/邮箱接收，最快捷）；② 预约到法院窗口领取；"
            "③ 确认邮寄地址由 EMS 寄送。"
        )
    if any(document.kind in NOT_SERVABLE_BY_PHONE for document in delivery.documents):
        lines.append("注意：判决书、裁定书、调解书不能电话送达，须通过上述方式之一送达。")
    lines.append("感谢您的配合。如有疑问可致电本院诉讼服务中心。")
    return "\n".join(lines)


def task_card(
    *, db_session: Session, delivery: Delivery, agent: User, lock: TaskLock | None
) -> dict[str, Any]:
    attempts = list(delivery.attempts)
    callbacks = followup.open_callbacks(db_session=db_session, delivery_id=delivery.id)
    return {
        "delivery": DeliveryRead.of(delivery).model_dump(mode="json")
        | {"attempts": [_attempt(attempt) for attempt in attempts]},
        "case": _case(delivery.case),
        "party": _party(delivery.party),
        "documents": [
            {"id": document.id, "name": document.name, "kind": document.kind.value}
            for document in delivery.documents
        ],
        "contact_points": [_contact_point(point, attempts) for point in delivery.party.contact_points],
        "callbacks": [
            {
                "id": c.id,
                "kind": c.kind.value,
                "due_at": iso(c.due_at),
                "note": c.note,
                "contact_point_id": c.contact_point_id,
            }
            for c in callbacks
        ],
        "script": script(delivery, agent),
        "lock": None
        if lock is None
        else {"user_id": lock.user_id, "locked_at": iso(lock.locked_at), "expires_at": iso(lock.expires_at)},
    }
