"""What a proof of service states: the case's facts, and each fact the method requires with its evidence."""

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.deliveries import facts as fact_service
from backend.deliveries.channels import channel_for
from backend.deliveries.enums import METHOD_LABELS, OUTCOME_LABELS, AttemptOutcome
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import service, storage
from backend.evidence.enums import EVIDENCE_KIND_LABELS, EvidenceKind
from backend.evidence.models import Evidence
from backend.parties.enums import LITIGATION_ROLE_LABELS

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: str
    basis: str = ""  # the evidence the fact rests on, e.g. "#12 通话录音（混音）"


@dataclass(frozen=True, slots=True)
class SignatureImage:
    """A signature drawn on a screen, as the proof prints it: what was signed, by whom, and its file."""

    label: str
    evidence_id: int
    sha256: str
    path: Path


class FactsIncomplete(ValueError):
    """The attempt lacks facts its method requires: no proof may be made."""


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


def required_facts(*, db_session: Session, attempt: DeliveryAttempt) -> list[Fact]:
    """Each fact the attempt's method requires for its outcome, then those it states when recorded (a view,
    a signature), with the evidence each rests on."""
    outcome = attempt.outcome or AttemptOutcome.served
    sheet = fact_service.fact_sheet(db_session=db_session, attempt=attempt, outcome=outcome)
    missing = [required.label for required, row in sheet if row is None]
    if missing:
        raise FactsIncomplete(f"送达要件不全，不能出具送达回证：{'、'.join(missing)}")
    rows = [(required.label, row) for required, row in sheet if row is not None]
    recorded = fact_service.fact_rows(db_session=db_session, attempt_id=attempt.id)
    for extra in channel_for(attempt.method).stated_if_recorded:
        if extra.key in recorded:  # also when it is the moment of service above: named for what it is
            rows.append((extra.label, recorded[extra.key]))
    lines = []
    for label, row in rows:
        item = db_session.get_one(Evidence, row.evidence_id)
        basis = f"#{item.id} {EVIDENCE_KIND_LABELS[item.kind]}"
        lines.append(Fact(label, format_value(row.key, row.value), basis))
    return lines


def proof_items(*, db_session: Session, attempt: DeliveryAttempt) -> list[Evidence]:
    """The evidence a proof lists: what its facts rest on and every other item linked to the attempt."""
    rows = fact_service.fact_rows(db_session=db_session, attempt_id=attempt.id).values()
    linked = {
        item.id: item for item in service.attempt_evidence_items(db_session=db_session, attempt_id=attempt.id)
    }
    for evidence_id in {row.evidence_id for row in rows} - set(linked):
        linked[evidence_id] = db_session.get_one(Evidence, evidence_id)
    return sorted(
        (item for item in linked.values() if item.kind != EvidenceKind.proof_pdf), key=lambda item: item.id
    )


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


def signature_images(items: list[Evidence]) -> list[SignatureImage]:
    """The PNG signatures among ITEMS (their strokes stay in the evidence list), oldest first."""
    images = []
    for item in items:
        if item.kind is not EvidenceKind.signature or item.content_type != "image/png":
            continue
        about = item.metadata_json
        label = f"{about.get('signer', '受送达人')}签署{about.get('signed_document', '文书')}"
        images.append(SignatureImage(label, item.id, item.sha256, storage.absolute_path(item.file_path)))
    return images


def evidence_lines(items: list[Evidence]) -> list[EvidenceLine]:
    return [
        EvidenceLine(EVIDENCE_KIND_LABELS[item.kind], item.id, item.size_bytes, item.sha256) for item in items
    ]
