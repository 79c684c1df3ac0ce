"""A court with letters to post (planned postal attempts), a clerk, and the local vendor servers."""

import shutil
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.courts.models import Court
from backend.deliveries.models import Delivery
from backend.documents.enums import DocumentKind
from backend.documents.models import Document
from backend.evidence.enums import EvidenceKind
from backend.evidence.service import store_evidence
from backend.parties.enums import ContactKind, LitigationRole, PartyType
from backend.parties.models import ContactPoint, Party
from backend.postal import service as postal_service
from backend.postal.service import plan_letter
from tests.postal.vendor_servers import (
    EMS_AUTH,
    EMS_KEY,
    EMS_PUSH_KEY,
    EMS_SENDER,
    K100_CUSTOMER,
    K100_KEY,
    K100_SALT,
    K100_SECRET,
    EmsServer,
    Kuaidi100Server,
)

PLANNED_AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def empty_evidence_dir() -> Iterator[None]:
    shutil.rmtree(get_settings().evidence_dir, ignore_errors=True)
    get_settings().evidence_dir.mkdir(parents=True)
    yield


def _use_gateway(monkeypatch: pytest.MonkeyPatch, settings: dict[str, str]) -> None:
    for name, value in settings.items():
        monkeypatch.setenv(f"SONGDA_{name.upper()}", value)
    get_settings.cache_clear()


@pytest.fixture()
def ems(monkeypatch: pytest.MonkeyPatch) -> Iterator[EmsServer]:
    """The local EMS server, and Songda's EMS adapter pointed at it."""
    server = EmsServer().start()
    _use_gateway(
        monkeypatch,
        {
            "postal_gateway_url": f"ems+{server.url}/amp-prod-api/f/amp/api/open",
            "ems_sender_no": EMS_SENDER,
            "ems_authorization": EMS_AUTH,
            "ems_secret_key": EMS_KEY,
            "ems_push_key": EMS_PUSH_KEY,
        },
    )
    yield server
    server.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture()
def kuaidi100(monkeypatch: pytest.MonkeyPatch) -> Iterator[Kuaidi100Server]:
    server = Kuaidi100Server().start()
    _use_gateway(
        monkeypatch,
        {
            "postal_gateway_url": f"kuaidi100+{server.url}",
            "kuaidi100_customer": K100_CUSTOMER,
            "kuaidi100_key": K100_KEY,
            "kuaidi100_secret": K100_SECRET,
            "kuaidi100_salt": K100_SALT,
        },
    )
    yield server
    server.stop()
    monkeypatch.undo()
    get_settings.cache_clear()


def add_letters(
    session: Session, court: Court, clerk: User, count: int, *, confirmed: bool = False, planned: bool = True
) -> list[int]:
    """COUNT deliveries with a planned EMS letter each (the address confirmed by the party if CONFIRMED);
    unless PLANNED is false: then the deliveries only, with an address and nothing planned (their ids)."""
    attempt_ids = []
    start = session.query(Case).count()
    for number in range(start, start + count):
        case = Case(
            court=court,
            case_number=f"(2026)京0102民初{1000 + number}号",
            cause="民间借贷纠纷",
            case_type=CaseType.civil,
            filed_on=date(2026, 2, 1),
        )
        party = Party(
            case=case,
            identity_key=f"party-{number}",
            name=f"张{'一二三四五六七八九十'[number % 10]}",
            party_type=PartyType.natural_person,
            litigation_role=LitigationRole.defendant,
        )
        address = ContactPoint(
            party=party,
            kind=ContactKind.address,
            value=f"北京市海淀区中关村大街{number + 1}号院2号楼301室",
            source="court_export",
        )
        phone = ContactPoint(
            party=party, kind=ContactKind.phone, value=f"138{number:08d}", source="court_export"
        )
        documents = [
            Document(case=case, name="传票", kind=DocumentKind.summons),
            Document(case=case, name="起诉状副本", kind=DocumentKind.complaint),
        ]
        delivery = Delivery(case=case, party=party, documents=documents)
        session.add_all([case, party, address, phone, *documents, delivery])
        session.flush()
        if not planned:
            attempt_ids.append(delivery.id)
            continue
        confirmation = None
        if confirmed:
            confirmation = store_evidence(
                db_session=session,
                case_id=case.id,
                kind=EvidenceKind.address_confirmation,
                content=f"送达地址确认书：{address.value}".encode(),
                content_type="text/plain",
                created_by_user=clerk,
            )
        attempt = plan_letter(
            db_session=session,
            actor=clerk,
            delivery=delivery,
            address=address,
            now=PLANNED_AT,
            notes="EMS 司法专邮",
            confirmation_evidence=confirmation,
        )
        attempt_ids.append(attempt.id)
    return attempt_ids


@pytest.fixture()
def court(db: Engine) -> int:
    with database.get_session() as session:
        court = Court(code="京0102", name="北京市西城区人民法院", address="北京市西城区二龙路甲1号")
        session.add(court)
        session.flush()
        return court.id


@pytest.fixture()
def clerk(make_user: Callable[..., User], court: int) -> User:
    return make_user(Role.clerk, court_id=court)


@pytest.fixture()
def letters(court: int, clerk: User) -> Callable[..., list[int]]:
    def make(count: int, *, confirmed: bool = False) -> list[int]:
        with database.get_session() as session:
            return add_letters(session, session.get(Court, court), clerk, count, confirmed=confirmed)

    return make


def confirmed_batch(session: Session, clerk: User) -> list[int]:
    """Build and confirm the day's batch through the configured gateway; the letters' ids."""
    from backend.postal.gateway import postal_gateway

    actor = session.get(User, clerk.id)
    report = postal_service.build_batches(db_session=session, actor=actor, day=DAY)
    batch = report.batches[0]
    postal_service.confirm_batch(db_session=session, actor=actor, batch=batch, gateway=postal_gateway())
    return [item.id for item in batch.items]
