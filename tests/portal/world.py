"""Parties with documents sent to them electronically, for the portal's tests and benchmark: a case, a
party with a mobile (and an e-mail) on file, two real PDF documents, the consent recorded on a call, and
the electronic attempt begun, so its notice with the personal link sits in the outbox."""

import hashlib
import io
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.core.fonts import cjk_font
from backend.courts.models import Court
from backend.database import utcnow
from backend.deliveries.models import Delivery
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.electronic import flows as electronic_flows
from backend.electronic.models import ElectronicNotice
from backend.electronic.service import plan_after_consent
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from backend.parties.enums import ContactKind, LitigationRole, PartyType
from backend.parties.models import ContactPoint, Party

DOCUMENTS = (("应诉通知书", DocumentKind.notice, 1), ("起诉状副本", DocumentKind.complaint, 2))


@dataclass(frozen=True)
class PortalParty:
    case_id: int
    party_id: int
    delivery_id: int
    attempt_id: int
    mobile: str
    email: str
    link_token: str
    document_ids: tuple[int, ...]


def pdf_bytes(title: str, case_number: str, pages: int) -> bytes:
    """A small A4 PDF in Chinese, PAGES pages long."""
    font = cjk_font()
    out = io.BytesIO()
    sheet = canvas.Canvas(out, pagesize=A4)
    for page in range(1, pages + 1):
        sheet.setFont(font, 22)
        sheet.drawCentredString(A4[0] / 2, A4[1] - 120, "北京市西城区人民法院")
        sheet.setFont(font, 28)
        sheet.drawCentredString(A4[0] / 2, A4[1] - 170, title)
        sheet.setFont(font, 13)
        sheet.drawString(80, A4[1] - 230, f"案号：{case_number}")
        sheet.drawString(80, A4[1] - 260, f"第 {page} 页，共 {pages} 页")
        sheet.showPage()
    sheet.save()
    return out.getvalue()


def court(session: Session) -> Court:
    found = session.scalar(select(Court).where(Court.code == "京0102"))
    if found is None:
        found = Court(code="京0102", name="北京市西城区人民法院", address="北京市西城区二龙路甲1号")
        session.add(found)
        session.flush()
    return found


def _document(case_number: str, name: str, kind: DocumentKind, pages: int) -> Document:
    content = pdf_bytes(name, case_number, pages)
    digest = hashlib.sha256(content).hexdigest()
    relative = f"portal-tests/{digest[:2]}/{digest}.pdf"
    path = get_settings().documents_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return Document(
        name=name,
        kind=kind,
        file_path=relative,
        sha256=digest,
        size_bytes=len(content),
        content_type="application/pdf",
    )


def portal_party(
    session: Session, agent: User, *, number: int, name: str = "张伟", mobile: str | None = None
) -> PortalParty:
    """A civil case's defendant who consented to e-delivery on a recorded call; the attempt is begun."""
    mobile = mobile or f"139{number:08d}"
    email = f"party{number}@example.com"
    case_number = f"(2026)京0102民初{20000 + number}号"
    case = Case(
        court=court(session),
        case_number=case_number,
        cause="民间借贷纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 3, 1),
    )
    party = Party(
        case=case,
        identity_key=f"portal-party-{number}",
        name=name,
        party_type=PartyType.natural_person,
        litigation_role=LitigationRole.defendant,
    )
    phone = ContactPoint(party=party, kind=ContactKind.phone, value=mobile, source="court_export")
    mail = ContactPoint(party=party, kind=ContactKind.email, value=email, source="court_export")
    documents = [_document(case_number, title, kind, pages) for title, kind, pages in DOCUMENTS]
    for document in documents:
        document.case = case
    delivery = Delivery(case=case, party=party, documents=documents)
    session.add_all([case, party, phone, mail, *documents, delivery])
    session.flush()
    call = store_evidence(
        db_session=session,
        case_id=case.id,
        kind=EvidenceKind.call_record,
        content=f"通话记录：{name}同意以手机 {mobile} 接收电子送达".encode(),
        content_type="text/plain",
        created_by_user=agent,
    )
    attempt = plan_after_consent(
        db_session=session,
        actor=agent,
        delivery=delivery,
        address=phone,
        consent_evidence=call,
        consent_note=f"{name}在电话中同意电子送达（手机 {mobile}）",
        now=utcnow(),
    )
    electronic_flows.begin_attempt(db_session=session, attempt=attempt)
    session.flush()
    notice = session.scalars(select(ElectronicNotice).where(ElectronicNotice.attempt_id == attempt.id)).one()
    return PortalParty(
        case_id=case.id,
        party_id=party.id,
        delivery_id=delivery.id,
        attempt_id=attempt.id,
        mobile=mobile,
        email=email,
        link_token=notice.link_token,
        document_ids=tuple(document.id for document in documents),
    )
