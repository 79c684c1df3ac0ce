"""The desk's end-to-end world: one court, a civil case with a defendant to serve by phone, an agent and
a supervisor with browser phones (extensions 1009 and 1010 unless a test picks its own), pickup slots."""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from backend.auth import service as auth_service
from backend.auth.roles import Role
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.core.clock import court_today
from backend.courts.models import Court
from backend.deliveries.models import Delivery
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.parties.enums import ContactEventKind, ContactKind, LitigationRole, PartyType
from backend.parties.models import ContactPoint, ContactPointEvent, Party
from backend.pickup import service as pickup_service
from tests.conftest import TEST_PASSWORD

AGENT_EXTENSION = "1009"
SUPERVISOR_EXTENSION = "1010"
AGENT_GROUP = "民事组"
PARTY_NUMBER = "13800138000"  # any number but the special ones answers and plays the default clip
SILENT_PARTY_NUMBER = "19900000200"  # answers and stays on the line, silent (dialplans/README.md)


@dataclass(frozen=True)
class DeskWorld:
    case_number: str
    party_name: str
    delivery_id: int
    phone_contact_id: int
    agent_username: str
    supervisor_username: str
    clerk_username: str
    password: str
    pickup_day: date
    agent_extension: str
    supervisor_extension: str


def _document(session: Session, case: Case, name: str, kind: DocumentKind) -> Document:
    content = f"%PDF-1.4 {case.case_number} {name}".encode()
    digest = hashlib.sha256(content).hexdigest()
    path = get_settings().documents_dir / "desk-e2e" / f"{digest}.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    document = Document(
        case=case,
        name=name,
        kind=kind,
        file_path=f"desk-e2e/{digest}.pdf",
        sha256=digest,
        size_bytes=len(content),
        content_type="application/pdf",
    )
    session.add(document)
    return document


def _contact(session: Session, party: Party, kind: ContactKind, value: str, source: str) -> ContactPoint:
    contact = ContactPoint(party=party, kind=kind, value=value, source=source)
    contact.history.append(ContactPointEvent(kind=ContactEventKind.added, source=source))
    session.add(contact)
    return contact


def build_world(
    session: Session,
    *,
    agent_extension: str = AGENT_EXTENSION,
    supervisor_extension: str = SUPERVISOR_EXTENSION,
    party_number: str = PARTY_NUMBER,
) -> DeskWorld:
    """Commit-ready objects for one desk session; the caller's session commits. Tests that may run beside
    others on the same Asterisk give their browser phones extensions of their own."""
    court = Court(code="京0102", name="北京市西城区人民法院")
    case = Case(
        court=court,
        case_number="(2026)京0102民初1024号",
        cause="民间借贷纠纷",
        case_type=CaseType.civil,
        filed_on=date(2026, 1, 10),
        judge_name="李明",
        clerk_name="王芳",
        hearing_at=datetime.combine(court_today() + timedelta(days=20), time(1, 30), tzinfo=UTC),
    )
    party = Party(
        case=case,
        identity_key="11010519900202002X",
        name="刘洋",
        party_type=PartyType.natural_person,
        litigation_role=LitigationRole.defendant,
        id_number="11010519900202002X",
    )
    phone = _contact(session, party, ContactKind.phone, party_number, "court_export")
    _contact(session, party, ContactKind.address, "北京市西城区金融大街 8 号院 3 号楼 502 室", "court_export")
    documents = [
        _document(session, case, "传票", DocumentKind.summons),
        _document(session, case, "起诉状副本", DocumentKind.complaint),
    ]
    delivery = Delivery(
        case=case,
        party=party,
        documents=documents,
        deadline=court_today() + timedelta(days=5),
        agent_group=AGENT_GROUP,
    )
    session.add_all([court, case, party, delivery])
    session.flush()
    agent = auth_service.create_user(
        db_session=session,
        username="zhuanyuan-e2e",
        full_name="王晓梅",
        role=Role.agent,
        password=TEST_PASSWORD,
        agent_group=AGENT_GROUP,
        sip_extension=agent_extension,
    )
    supervisor = auth_service.create_user(
        db_session=session,
        username="zhuguan-e2e",
        full_name="陈主管",
        role=Role.supervisor,
        password=TEST_PASSWORD,
        sip_extension=supervisor_extension,
    )
    clerk = auth_service.create_user(
        db_session=session,
        username="chuangkou-e2e",
        full_name="陈晓",
        role=Role.clerk,
        password=TEST_PASSWORD,
        court_id=court.id,
    )
    pickup_day = court_today() + timedelta(days=1)
    window = pickup_service.create_window(
        db_session=session, name="诉讼服务中心 3 号窗口", location="一层大厅", court_id=court.id
    )
    pickup_service.add_slots(
        db_session=session,
        window=window,
        day=pickup_day,
        start=time(9),
        end=time(11, 30),
        minutes=30,
        capacity=3,
    )
    return DeskWorld(
        case_number=case.case_number,
        party_name=party.name,
        delivery_id=delivery.id,
        phone_contact_id=phone.id,
        agent_username=agent.username,
        supervisor_username=supervisor.username,
        clerk_username=clerk.username,
        password=TEST_PASSWORD,
        pickup_day=pickup_day,
        agent_extension=agent_extension,
        supervisor_extension=supervisor_extension,
    )
