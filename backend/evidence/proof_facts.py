"""What a proof of service states: labelled facts gathered from the case, the attempt and its evidence."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.deliveries.enums import METHOD_LABELS, AttemptOutcome, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import call_facts, service
from backend.evidence.enums import EVIDENCE_KIND_LABELS, EvidenceKind
from backend.evidence.models import Evidence
from backend.parties.enums import LITIGATION_ROLE_LABELS
from backend.parties.models import ContactPoint

SHANGHAI = ZoneInfo("Asia/Shanghai")

OUTCOME_LABELS = {
    AttemptOutcome.served: "已送达",
    AttemptOutcome.answered: "已接通",
    AttemptOutcome.pickup_booked: "已预约来院领取",
    AttemptOutcome.electronic_consent: "同意电子送达",
    AttemptOutcome.address_confirmed: "已确认送达地址",
    AttemptOutcome.left_with_refusal: "留置送达",
    AttemptOutcome.returned: "退回（视为送达）",
    AttemptOutcome.refused: "拒收",
}

# The facts each method's proof lists, read from the attempt's details (see attempt_details).
METHOD_FIELDS: dict[DeliveryMethod, tuple[tuple[str, str], ...]] = {
    DeliveryMethod.phone: (
        ("number_dialled", "拨打号码"),
        ("connected_number", "接通号码"),
        ("started_at", "呼叫开始时间"),
        ("answered_at", "接听时间"),
        ("ended_at", "通话结束时间"),
        ("talk_seconds", "通话时长（秒）"),
        ("hangup_cause", "挂断原因"),
        ("call_id", "呼叫编号"),
    ),
    DeliveryMethod.pickup: (
        ("appointment_slot", "预约时段"),
        ("pickup_window", "领取窗口"),
        ("identity_checked", "身份核验"),
        ("received_by", "领取人"),
        ("signed_at", "签收时间"),
        ("refusal_note", "拒签记录"),
    ),
    DeliveryMethod.electronic: (
        ("sender", "发送号码/地址"),
        ("recipient_address", "受送达地址"),
        ("sent_at", "发送时间"),
        ("arrived_at", "到达时间"),
        ("viewed_at", "查阅时间"),
        ("signed_at", "签收时间"),
        ("client_ip", "签收 IP"),
        ("device", "签收设备"),
    ),
    DeliveryMethod.postal: (
        ("waybill_number", "EMS 邮件号"),
        ("address", "收件地址"),
        ("posted_at", "交寄时间"),
        ("delivered_at", "妥投时间"),
        ("receipt", "签收情况"),
        ("return_reason", "退回原因"),
    ),
    DeliveryMethod.field: (
        ("address", "送达地址"),
        ("gps", "GPS 位置"),
        ("visited_at", "到达时间"),
        ("received_by", "签收人"),
        ("witness", "见证人"),
        ("mileage_km", "里程（公里）"),
    ),
    DeliveryMethod.entrusted: (
        ("entrusted_court", "受托法院"),
        ("commissioned_at", "委托时间"),
        ("result", "委托送达结果"),
    ),
    DeliveryMethod.notice: (
        ("publication", "公告载体"),
        ("published_at", "公告时间"),
        ("deemed_served_on", "视为送达日期"),
    ),
}


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class EvidenceLine:
    label: str
    evidence_id: int
    size_bytes: int
    sha256: str


def shanghai_time(value: datetime | str) -> str:
    """A moment as Beijing time, e.g. 2026-03-05 10:15:32."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def format_value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "；".join(format_value(key, item) for item in value)
    if isinstance(value, datetime) or (key.endswith("_at") and isinstance(value, str)):
        return shanghai_time(value)
    return str(value)


def proof_items(*, db_session: Session, attempt_id: int) -> list[Evidence]:
    """The evidence a proof lists: items linked to the attempt and the recordings of its calls."""
    linked = service.attempt_evidence_items(db_session=db_session, attempt_id=attempt_id)
    known = {item.id for item in linked}
    recordings = call_facts.call_evidence_ids(db_session=db_session, attempt_id=attempt_id) - known
    items = linked + [db_session.get_one(Evidence, item_id) for item_id in recordings]
    return sorted((item for item in items if item.kind != EvidenceKind.proof_pdf), key=lambda item: item.id)


def attempt_details(
    *, db_session: Session, attempt: DeliveryAttempt, items: list[Evidence]
) -> dict[str, Any]:
    """Facts of the attempt: its items' metadata (receipts...), its call record, then its own fields."""
    details: dict[str, Any] = {}
    for item in items:
        details.update({key: value for key, value in item.metadata_json.items() if value is not None})
    details.update(call_facts.call_details(db_session=db_session, attempt_id=attempt.id))
    details.setdefault("started_at", attempt.started_at)
    details.setdefault("ended_at", attempt.ended_at)
    if attempt.method == DeliveryMethod.phone and attempt.contact_point_id is not None:
        contact = db_session.get(ContactPoint, attempt.contact_point_id)
        details.setdefault("number_dialled", contact.value if contact else None)
    return {key: value for key, value in details.items() if value is not None}


def method_facts(method: DeliveryMethod, details: dict[str, Any]) -> list[Fact]:
    return [
        Fact(label, format_value(key, details[key]))
        for key, label in METHOD_FIELDS.get(method, ())
        if details.get(key) not in (None, "")
    ]


def _performer(db_session: Session, attempt: DeliveryAttempt) -> str:
    user = db_session.get(User, attempt.performed_by_user_id) if attempt.performed_by_user_id else None
    return f"{user.full_name}（{user.username}）" if user else "系统"


def common_facts(*, db_session: Session, attempt: DeliveryAttempt) -> list[Fact]:
    """Court-side facts every proof states: case, party, documents, method, result, staff, date."""
    delivery = attempt.delivery
    case, party = delivery.case, delivery.party
    served_on = attempt.legal_service_date or (
        attempt.ended_at and attempt.ended_at.astimezone(SHANGHAI).date()
    )
    facts = [
        Fact("案号", case.case_number),
        Fact("案由", case.cause),
        Fact("受送达人", party.name),
        Fact("诉讼地位", LITIGATION_ROLE_LABELS[party.litigation_role]),
        Fact("送达文书", "、".join(document.name for document in delivery.documents) or "（未列明）"),
        Fact("送达方式", METHOD_LABELS[attempt.method]),
        Fact("送达结果", OUTCOME_LABELS.get(attempt.outcome, "已送达") if attempt.outcome else "已送达"),
        Fact("送达人员", _performer(db_session, attempt)),
    ]
    if served_on:
        facts.append(Fact("送达日期", served_on.isoformat()))
    return facts


def evidence_lines(items: list[Evidence]) -> list[EvidenceLine]:
    return [
        EvidenceLine(EVIDENCE_KIND_LABELS[item.kind], item.id, item.size_bytes, item.sha256) for item in items
    ]
