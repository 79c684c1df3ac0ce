"""The signed 送达地址确认书 as a PDF for the paper file: made from the confirmation record a method filed
(its addresses, consent and signature image), stored once as evidence of the same attempt in the chain."""

# mypy: disable-error-code="import-untyped"

import io
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.core.errors import InvalidRequest
from backend.core.fonts import cjk_font
from backend.database import utcnow
from backend.deliveries.models import DeliveryAttempt, attempt_evidence
from backend.evidence import service, storage
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.parties.enums import LITIGATION_ROLE_LABELS
from backend.proofs.facts import Fact, shanghai_time
from backend.proofs.pdf import facts_table, paragraph, proof_styles

PDF = "application/pdf"
STATEMENT = (
    "本人确认以上送达地址及联系方式真实有效，同意人民法院按上述地址送达诉讼文书；"
    "同意电子送达的，以上手机号码或电子邮箱为电子送达地址，文书到达该系统之日为送达之日。"
    "上述地址如有变更，本人将及时书面告知人民法院；未及时告知的，按原地址送达视为已送达。"
)


def _record(source: Evidence) -> dict[str, Any]:
    if source.kind is not EvidenceKind.address_confirmation or source.content_type != "application/json":
        raise InvalidRequest("该证据不是送达地址确认书记录")
    data = service.read_json(source)
    if not isinstance(data, dict) or not data.get("signature_evidence_id"):
        raise InvalidRequest("该送达地址确认书没有当事人签名，不能打印")
    return data


def _existing(db_session: Session, attempt_id: int, source_id: int) -> Evidence | None:
    query = (
        select(Evidence)
        .join(attempt_evidence, attempt_evidence.c.evidence_id == Evidence.id)
        .where(
            attempt_evidence.c.attempt_id == attempt_id,
            Evidence.kind == EvidenceKind.address_confirmation,
            Evidence.content_type == PDF,
        )
    )
    return next(
        (
            item
            for item in db_session.scalars(query)
            if item.metadata_json.get("source_evidence_id") == source_id
        ),
        None,
    )


def _render(attempt: DeliveryAttempt, data: dict[str, Any], signature: Evidence, source: Evidence) -> bytes:
    font = cjk_font()
    styles = proof_styles(font)
    case, party = attempt.delivery.case, attempt.delivery.party
    yes_no = "是" if data.get("consents_to_electronic") else "否"
    facts = [
        Fact("案号", case.case_number),
        Fact("受送达人", party.name),
        Fact("诉讼地位", LITIGATION_ROLE_LABELS[party.litigation_role]),
        Fact("送达地址", data.get("postal_address") or "（未填写）"),
        Fact("手机号码", data.get("mobile") or "（未填写）"),
        Fact("电子邮箱", data.get("email") or "（未填写）"),
        Fact("同意电子送达", yes_no),
        Fact("签署时间", shanghai_time(str(data.get("signed_at")))),
    ]
    image = Image(
        storage.absolute_path(signature.file_path), width=70 * mm, height=28 * mm, kind="proportional"
    )
    image.hAlign = "LEFT"
    hashes = (
        f"确认书记录 #{source.id} SHA-256 {source.sha256}\n签名图 #{signature.id} SHA-256 {signature.sha256}"
    )
    story = [
        paragraph(case.court.name, styles["court"]),
        paragraph("送达地址确认书", styles["title"]),
        Spacer(1, 4 * mm),
        facts_table(facts, styles, font),
        Spacer(1, 4 * mm),
        paragraph(STATEMENT, styles["body"]),
        Spacer(1, 4 * mm),
        paragraph("受送达人（签名）：", styles["body"]),
        image,
        Spacer(1, 4 * mm),
        Paragraph(hashes.replace("\n", "<br/>"), styles["hash"]),
        paragraph(
            f"打印于 {shanghai_time(utcnow())}（北京时间）；签名笔迹与图像均已登记于本案证据链。",
            styles["small"],
        ),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm).build(
        story
    )
    return buffer.getvalue()


def address_confirmation_pdf(*, db_session: Session, source: Evidence) -> Evidence:
    """The printable PDF of a signed confirmation record, made once and kept as evidence of its attempt."""
    data = _record(source)
    attempt = db_session.get(DeliveryAttempt, data.get("attempt_id")) if data.get("attempt_id") else None
    if attempt is None or attempt.delivery.case_id != source.case_id:
        raise InvalidRequest("该送达地址确认书不属于任何送达尝试")
    existing = _existing(db_session, attempt.id, source.id)
    if existing is not None:
        return existing
    signature = db_session.get(Evidence, int(data["signature_evidence_id"]))
    if (
        signature is None
        or signature.case_id != source.case_id
        or signature.kind is not EvidenceKind.signature
    ):
        raise InvalidRequest("找不到该送达地址确认书的签名")
    return service.store_evidence(
        db_session=db_session,
        case_id=source.case_id,
        kind=EvidenceKind.address_confirmation,
        content=_render(attempt, data, signature, source),
        content_type=PDF,
        metadata={"source_evidence_id": source.id, "signature_evidence_id": signature.id},
        created_by_system="proof",
        attempt_id=attempt.id,
    )
