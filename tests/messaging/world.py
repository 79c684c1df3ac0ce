"""A court case with a party, documents and contact points, for messages and electronic attempts."""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.deliveries import attempts as attempt_service
from backend.deliveries.confirmations import record_address_confirmation
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from backend.messaging.models import SmsOutbox
from backend.parties.enums import ContactKind, LitigationRole, PartyType
from backend.parties.models import ContactPoint, Party


@dataclass(frozen=True)
class World:
    case_id: int
    delivery_id: int
    attempt_id: int


def court(session: Session) -> Court:
    found = session.query(Court).filter_by(code="京0102").first()
    if found is None:
        found = Court(code="京0102", name="北京市西城区人民法院", address="北京市西城区二龙路甲1号")
        session.add(found)
        session.flush()
    return found


NOTICE_AND_COMPLAINT = (("应诉通知书", DocumentKind.notice), ("起诉状副本", DocumentKind.complaint))


def document_file(case_number: str, index: int, name: str) -> tuple[str, str]:
    """Store a small file for a document in the documents directory: its (relative path, sha256)."""
    relative = f"tests/{hashlib.sha256(case_number.encode()).hexdigest()[:12]}/{index:02d}.txt"
    content = f"{case_number} {name}".encode()
    path = get_settings().documents_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return relative, hashlib.sha256(content).hexdigest()


def electronic_attempt(
    session: Session,
    agent: User,
    *,
    kind: ContactKind,
    value: str,
    confirmed: bool,
    planned_at: datetime,
    documents: tuple[tuple[str, DocumentKind], ...] = NOTICE_AND_COMPLAINT,
    paper_only: tuple[str, ...] = (),
) -> World:
    """A commercial case's defendant with one contact point and a planned electronic attempt at it;
    CONFIRMED: the party signed a 送达地址确认书 naming it, with consent to e-delivery. Each document has
    a stored file, but those named in PAPER_ONLY."""
    number = session.query(Case).count() + 1
    case = Case(
        court=court(session),
        case_number=f"(2026)京0102民初{3000 + number}号",
        cause="买卖合同纠纷",
        case_type=CaseType.commercial,
        filed_on=date(2026, 2, 1),
    )
    party = Party(
        case=case,
        identity_key=f"e-party-{number}",
        name="北京某某科技有限公司",
        party_type=PartyType.legal_person,
        litigation_role=LitigationRole.defendant,
    )
    point = ContactPoint(party=party, kind=kind, value=value, source="court_export")
    rows = []
    for index, (name, document_kind) in enumerate(documents, start=1):
        path, sha256 = (None, None) if name in paper_only else document_file(case.case_number, index, name)
        rows.append(Document(case=case, name=name, kind=document_kind, file_path=path, sha256=sha256))
    delivery = Delivery(case=case, party=party, documents=rows)
    session.add_all([case, party, point, *rows, delivery])
    session.flush()
    if confirmed:
        form = store_evidence(
            db_session=session,
            case_id=case.id,
            kind=EvidenceKind.address_confirmation,
            content=f"送达地址确认书：同意电子送达，地址 {value}".encode(),
            content_type="text/plain",
            created_by_user=agent,
        )
        record_address_confirmation(
            db_session=session,
            actor=agent,
            delivery=delivery,
            obtained_via=DeliveryMethod.phone,
            evidence_id=form.id,
            mobile=value if kind is ContactKind.phone else None,
            email=value if kind is ContactKind.email else None,
            consents_to_electronic=True,
        )
    attempt = attempt_service.add_attempt(
        db_session=session,
        actor=agent,
        delivery=delivery,
        method=DeliveryMethod.electronic,
        planned_at=planned_at,
        start_by=planned_at,
        contact_point_id=point.id,
        notes="电子送达",
    )
    return World(case.id, delivery.id, attempt.id)


def stored_message(message_id: int) -> SmsOutbox:
    """The outbox row as stored now (detached, for assertions)."""
    with database.get_session() as session:
        message = session.get_one(SmsOutbox, message_id)
        session.expunge(message)
        return message
