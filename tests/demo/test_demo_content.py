"""The demo data itself: all case types, valid identifiers, real PDFs, deliveries the state machines allow."""

import hashlib
import itertools
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from backend import database
from backend.cases.enums import CaseType
from backend.cases.models import Case
from backend.config import get_settings
from backend.deliveries.enums import AttemptStatus, DeliveryStatus
from backend.deliveries.models import Delivery
from backend.deliveries.state import check_attempt_transition
from backend.demo.identifiers import is_valid_resident_id, is_valid_uscc
from backend.demo.seed import SeedReport, seed_demo
from backend.documents.models import Document
from backend.evidence.witness import witness_path
from backend.parties.enums import ContactKind, ContactState, PartyType
from backend.parties.models import ContactPoint, Party
from tests.conftest import _empty_all_tables as empty_all_tables

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
CASE_NUMBER = re.compile(r"^\(2026\)京0102(民初|商初|行初|执)\d+号$")
TYPE_CODES = {"民初": {CaseType.civil, CaseType.mediation}, "商初": {CaseType.commercial}}
TYPE_CODES |= {"行初": {CaseType.administrative}, "执": {CaseType.enforcement}}
PHONE = re.compile(r"^(1[3-9]\d{9}|010-[568]\d{7})$")


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Iterator[SeedReport]:
    """One seed of 60 cases shared by the read-only tests of this module, removed afterwards."""
    with database.get_session() as session:
        report = seed_demo(db_session=session, cases=60, seed=7, now=NOW)
    yield report
    empty_all_tables(engine)
    shutil.rmtree(witness_path(0).parent, ignore_errors=True)  # the chains of the demo's served attempts


@pytest.fixture()
def db_session(seeded: SeedReport) -> Iterator[Session]:
    session = database.session_factory()()
    yield session
    session.close()


def test_cases_have_every_type_and_plausible_numbers(seeded: SeedReport, db_session: Session) -> None:
    assert not seeded.skipped and seeded.written.cases == 60
    cases = list(db_session.scalars(select(Case).options(selectinload(Case.parties))))
    assert len(cases) == 60
    assert {case.case_type for case in cases} == set(CaseType)
    for case in cases:
        match = CASE_NUMBER.match(case.case_number)
        assert match, case.case_number
        assert case.case_type in TYPE_CODES[match.group(1)]
        assert case.cause.endswith(("纠纷", "争议")) or case.case_type is CaseType.administrative
        assert 2 <= len(case.parties) <= 3
        assert case.judge_name and case.clerk_name
        assert (case.hearing_at is None) == (case.case_type is CaseType.enforcement)


def test_parties_have_valid_ids_and_beijing_contacts(db_session: Session) -> None:
    for party in db_session.scalars(select(Party).options(selectinload(Party.contact_points))):
        assert party.id_number is not None
        if party.party_type is PartyType.natural_person:
            assert is_valid_resident_id(party.id_number), party.id_number
        else:
            assert is_valid_uscc(party.id_number), party.id_number
        kinds = [contact.kind for contact in party.contact_points]
        assert ContactKind.address in kinds and ContactKind.phone in kinds
        for contact in party.contact_points:
            if contact.kind is ContactKind.phone:
                assert PHONE.match(contact.value), contact.value
            elif contact.kind is ContactKind.address:
                assert contact.value.startswith("北京市") and "号" in contact.value
            else:
                assert re.match(r"^[a-z0-9.]+@[a-z0-9.]+$", contact.value), contact.value
    invalid = db_session.scalars(select(ContactPoint).where(ContactPoint.state == ContactState.invalid)).all()
    assert invalid and all(contact.history[-1].kind.value == "invalidated" for contact in invalid)


def test_documents_are_pdfs_with_matching_sha256(seeded: SeedReport, db_session: Session) -> None:
    documents = db_session.scalars(select(Document)).all()
    assert len(documents) == seeded.written.documents >= 60 * 2
    for document in documents:
        assert document.file_path is not None
        content = (get_settings().documents_dir / document.file_path).read_bytes()
        assert content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == document.sha256
        assert len(content) == document.size_bytes


def _check_attempt_path(status: AttemptStatus) -> None:
    path = {
        AttemptStatus.planned: [AttemptStatus.planned],
        AttemptStatus.in_progress: [AttemptStatus.planned, AttemptStatus.in_progress],
        AttemptStatus.cancelled: [AttemptStatus.planned, AttemptStatus.cancelled],
    }.get(status, [AttemptStatus.planned, AttemptStatus.in_progress, status])
    for current, target in itertools.pairwise(path):
        check_attempt_transition(current, target)


def test_deliveries_are_consistent_with_their_attempts(db_session: Session) -> None:
    deliveries = db_session.scalars(select(Delivery).options(selectinload(Delivery.attempts))).all()
    assert {delivery.status for delivery in deliveries} >= {
        DeliveryStatus.pending, DeliveryStatus.in_progress, DeliveryStatus.served
    }  # fmt: skip
    for delivery in deliveries:
        started = [attempt for attempt in delivery.attempts if attempt.started_at is not None]
        succeeded = [attempt for attempt in delivery.attempts if attempt.status is AttemptStatus.succeeded]
        for attempt in delivery.attempts:
            _check_attempt_path(attempt.status)
            assert attempt.started_at is None or attempt.started_at <= NOW
        assert delivery.documents
        if delivery.status is DeliveryStatus.served:
            (success,) = succeeded
            assert delivery.served_method is success.method
            assert delivery.served_at == success.ended_at and delivery.legal_service_date is not None
        else:
            assert not succeeded and delivery.served_at is None
        assert bool(started) == (delivery.status in (DeliveryStatus.in_progress, DeliveryStatus.served,
                                                     DeliveryStatus.unservable))  # fmt: skip
