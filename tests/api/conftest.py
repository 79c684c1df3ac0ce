"""A small committed world for the API tests: two courts, cases, parties, documents and deliveries."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
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
from tests.conftest import TEST_PASSWORD


@dataclass
class World:
    court_id: int
    other_court_id: int
    civil_case_id: int
    commercial_case_id: int
    other_case_id: int
    plaintiff_id: int
    defendant_id: int
    phone_contact_id: int
    summons_id: int
    judgment_id: int
    summons_sha256: str
    delivery_id: int  # civil case, on the defendant, deadline in 5 days
    overdue_delivery_id: int  # commercial case, deadline passed
    other_delivery_id: int  # other court


def add_case(session: Session, court: Court, number: str, case_type: CaseType, **fields: object) -> Case:
    case = Case(
        court=court,
        case_number=number,
        cause=str(fields.pop("cause", "民间借贷纠纷")),
        case_type=case_type,
        filed_on=fields.pop("filed_on", date(2026, 1, 10)),
        **fields,
    )
    session.add(case)
    return case


def add_party(session: Session, case: Case, name: str, role: LitigationRole, id_number: str | None) -> Party:
    party = Party(
        case=case,
        identity_key=id_number or name,
        name=name,
        party_type=PartyType.natural_person if id_number else PartyType.legal_person,
        litigation_role=role,
        id_number=id_number,
    )
    session.add(party)
    return party


def add_document(session: Session, case: Case, name: str, kind: DocumentKind) -> Document:
    content = f"%PDF-1.4 {case.case_number} {name}".encode()
    relative = f"tests/{hashlib.sha256(content).hexdigest()}.pdf"
    path = get_settings().documents_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    document = Document(
        case=case,
        name=name,
        kind=kind,
        file_path=relative,
        sha256=hashlib.sha256(content).hexdigest(),
        size_bytes=len(content),
        content_type="application/pdf",
    )
    session.add(document)
    return document


def _add_phone(session: Session, party: Party, number: str) -> ContactPoint:
    contact = ContactPoint(party=party, kind=ContactKind.phone, value=number, source="court_export")
    contact.history.append(ContactPointEvent(kind=ContactEventKind.added, source="court_export"))
    session.add(contact)
    return contact


def _build(session: Session) -> World:
    court = Court(code="京0102", name="北京市西城区人民法院")
    other_court = Court(code="京0105", name="北京市朝阳区人民法院")
    today = court_today()
    hearing = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 09:30 in Beijing
    civil = add_case(
        session,
        court,
        "(2026)京0102民初101号",
        CaseType.civil,
        judge_name="李明",
        clerk_name="王芳",
        hearing_at=hearing,
        service_deadline=date(2026, 3, 31),
    )
    commercial = add_case(
        session,
        court,
        "(2026)京0102商初202号",
        CaseType.commercial,
        cause="买卖合同纠纷",
        judge_name="赵强",
        clerk_name="王芳",
        filed_on=date(2026, 2, 1),
    )
    other = add_case(session, other_court, "(2026)京0105民初303号", CaseType.civil, judge_name="李明")
    plaintiff = add_party(session, civil, "张伟", LitigationRole.plaintiff, "110102198001010018")
    defendant = add_party(session, civil, "刘洋", LitigationRole.defendant, "11010519900202002X")
    company = add_party(session, commercial, "北京华信商贸有限公司", LitigationRole.defendant, None)
    other_party = add_party(session, other, "陈静", LitigationRole.defendant, "110105197503030021")
    phone = _add_phone(session, defendant, "13800138000")
    summons = add_document(session, civil, "传票", DocumentKind.summons)
    judgment = add_document(session, civil, "民事判决书", DocumentKind.judgment)
    invoice = add_document(session, commercial, "起诉状副本", DocumentKind.complaint)
    other_doc = add_document(session, other, "传票", DocumentKind.summons)
    delivery = Delivery(case=civil, party=defendant, documents=[summons], deadline=today + timedelta(days=5))
    overdue = Delivery(
        case=commercial,
        party=company,
        documents=[invoice],
        deadline=today - timedelta(days=3),
        agent_group="商事组",
    )
    other_delivery = Delivery(case=other, party=other_party, documents=[other_doc], deadline=today)
    session.add_all([delivery, overdue, other_delivery])
    session.flush()
    return World(
        court_id=court.id, other_court_id=other_court.id, civil_case_id=civil.id,
        commercial_case_id=commercial.id, other_case_id=other.id, plaintiff_id=plaintiff.id,
        defendant_id=defendant.id, phone_contact_id=phone.id, summons_id=summons.id, judgment_id=judgment.id,
        summons_sha256=summons.sha256 or "", delivery_id=delivery.id, overdue_delivery_id=overdue.id,
        other_delivery_id=other_delivery.id,
    )  # fmt: skip


@pytest.fixture()
def world(db: Engine) -> World:
    with database.get_session() as session:
        return _build(session)


def headers_for(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture()
def as_user(client: TestClient, make_user: Callable[..., User]) -> Callable[..., tuple[User, dict[str, str]]]:
    """Create a user of ROLE and log in: returns the user and the Authorization header."""

    def make(role: object, **fields: object) -> tuple[User, dict[str, str]]:
        user = make_user(role, **fields)
        return user, headers_for(client, user)

    return make
