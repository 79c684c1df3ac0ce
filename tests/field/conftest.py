"""A committed field world: a civil case, parties with addresses, a planned field attempt on each."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.enums import CaseType
from backend.core.clock import court_today
from backend.courts.models import Court
from backend.database import utcnow
from backend.deliveries import attempts as attempt_service
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import Delivery
from backend.documents.enums import DocumentKind
from backend.parties.enums import ContactEventKind, ContactKind, LitigationRole
from backend.parties.models import ContactPoint, ContactPointEvent
from tests.api.conftest import add_case, add_document, add_party, headers_for

ADDRESSES = (
    "北京市西城区金融大街7号",
    "北京市西城区德胜门外大街11号",
    "北京市东城区东直门南大街3号",
    "北京市海淀区中关村大街27号",
)


@dataclass
class FieldWorld:
    case_id: int
    attempt_ids: list[int]
    contact_ids: list[int]
    day: date


def _build(session: Session) -> FieldWorld:
    court = Court(code="京0102", name="北京市西城区人民法院")
    case = add_case(session, court, "(2026)京0102民初555号", CaseType.civil, judge_name="李明")
    summons = add_document(session, case, "传票", DocumentKind.summons)
    attempt_ids, contact_ids = [], []
    for index, address in enumerate(ADDRESSES):
        party = add_party(
            session, case, f"当事人{index + 1}", LitigationRole.defendant, f"11010219800101{index:04d}"
        )
        contact = ContactPoint(party=party, kind=ContactKind.address, value=address, source="court_export")
        contact.history.append(ContactPointEvent(kind=ContactEventKind.added, source="court_export"))
        session.add(contact)
        delivery = Delivery(
            case=case, party=party, documents=[summons], deadline=court_today() + timedelta(days=7)
        )
        session.add(delivery)
        session.flush()
        attempt = attempt_service.add_attempt(
            db_session=session,
            actor=None,
            delivery=delivery,
            method=DeliveryMethod.field,
            planned_at=utcnow(),
            start_by=utcnow() + timedelta(hours=24),
            contact_point_id=contact.id,
        )
        attempt_ids.append(attempt.id)
        contact_ids.append(contact.id)
    return FieldWorld(case_id=case.id, attempt_ids=attempt_ids, contact_ids=contact_ids, day=court_today())


@pytest.fixture()
def field_world(db: Engine) -> FieldWorld:
    with database.get_session() as session:
        return _build(session)


@pytest.fixture()
def as_role(client: TestClient, make_user: Callable[..., User]) -> Callable[..., tuple[User, dict[str, str]]]:
    def make(role: Role, **fields: object) -> tuple[User, dict[str, str]]:
        user = make_user(role, **fields)
        return user, headers_for(client, user)

    return make
