"""The demo proves what it claims: every served delivery holds the facts its channel requires, each on
chained evidence, with moments inside the attempt and the legal date its channel derives."""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload

from backend import database
from backend.deliveries.channels import channel_for, fact_time
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryStatus
from backend.deliveries.facts import recorded_facts
from backend.deliveries.models import AttemptFact, Delivery, DeliveryAttempt, attempt_evidence
from backend.demo.seed import SeedReport, seed_demo
from backend.evidence.fact_audit import incomplete_services
from backend.evidence.models import Evidence
from backend.evidence.storage import absolute_path
from backend.evidence.verification import cases_with_evidence, verify_case_chain
from backend.evidence.witness import witness_path
from backend.postal.models import PostalItem
from backend.proofs.service import generate_proof
from tests.conftest import _empty_all_tables as empty_all_tables

NOW = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def _forget_witnesses() -> None:
    shutil.rmtree(witness_path(0).parent, ignore_errors=True)


@pytest.fixture(scope="module")
def seeded(engine: Engine) -> Iterator[SeedReport]:
    """One seed of 60 cases shared by this module (tests that change it roll back), removed afterwards."""
    _forget_witnesses()
    with database.get_session() as session:
        report = seed_demo(db_session=session, cases=60, seed=7, now=NOW)
    yield report
    empty_all_tables(engine)
    _forget_witnesses()


@pytest.fixture()
def db_session(seeded: SeedReport) -> Iterator[Session]:
    session = database.session_factory()()
    yield session
    session.rollback()
    session.close()


def _served_attempts(db_session: Session) -> list[DeliveryAttempt]:
    query = (
        select(DeliveryAttempt)
        .join(Delivery)
        .where(Delivery.status == DeliveryStatus.served, DeliveryAttempt.status == AttemptStatus.succeeded)
        .options(selectinload(DeliveryAttempt.delivery))
        .order_by(DeliveryAttempt.id)
    )
    return list(db_session.scalars(query))


def test_the_audit_finds_no_served_delivery_without_its_facts(
    seeded: SeedReport, db_session: Session
) -> None:
    served = _served_attempts(db_session)
    assert len({attempt.method for attempt in served}) >= 5 and seeded.written.evidence >= len(served)
    assert list(incomplete_services(db_session=db_session)) == []


def test_every_chain_of_the_demo_verifies(db_session: Session) -> None:
    case_ids = cases_with_evidence(db_session=db_session)
    assert case_ids
    for case_id in case_ids:
        report = verify_case_chain(db_session=db_session, case_id=case_id)
        assert report.intact, [problem.message for problem in report.problems]


def test_evidence_is_marked_as_demo_material(db_session: Session) -> None:
    """What the demo writes is marked; its court mail goes through the real postal flow (the fake vendor's
    waybills), whose tracking logs and proofs rest on that flow's own records."""
    mail = select(attempt_evidence.c.evidence_id).join(
        PostalItem, PostalItem.attempt_id == attempt_evidence.c.attempt_id
    )
    mailed = set(db_session.scalars(mail))
    items = db_session.scalars(select(Evidence).where(Evidence.id.not_in(mailed))).all()
    assert items and all(item.created_by_system == "demo" and item.metadata_json["demo"] for item in items)
    waybills = db_session.scalars(select(PostalItem.waybill_no).where(PostalItem.waybill_no.is_not(None)))
    assert mailed and all(waybill.endswith("FK") for waybill in waybills)  # the fake vendor's


def test_facts_fit_their_attempt_and_give_its_legal_date(db_session: Session) -> None:
    for attempt in _served_attempts(db_session):
        facts = recorded_facts(db_session=db_session, attempt_id=attempt.id)
        assert attempt.started_at is not None and attempt.ended_at is not None
        for key in facts:
            moment = fact_time(facts, key) if key.endswith("_at") else None
            assert moment is None or attempt.started_at <= moment <= attempt.ended_at, (attempt.id, key)
        channel = channel_for(attempt.method)
        legal_date = channel.legal_service_date(attempt=attempt, facts=facts)
        assert attempt.legal_service_date == legal_date == attempt.delivery.legal_service_date
        assert attempt.delivery.served_at == attempt.ended_at


def _deletable_fact(db_session: Session) -> tuple[int, AttemptFact]:
    """A served delivery and one fact its proof cannot do without (no alternative recorded)."""
    for attempt in _served_attempts(db_session):
        rows = {
            fact.key: fact
            for fact in db_session.scalars(select(AttemptFact).where(AttemptFact.attempt_id == attempt.id))
        }
        required = channel_for(attempt.method).required_facts(attempt.outcome or AttemptOutcome.served)
        for fact in required:
            if fact.key in rows and not any(key in rows for key in fact.alternatives):
                return attempt.delivery_id, rows[fact.key]
    raise AssertionError("no served demo attempt with facts")


def test_the_audit_finds_the_delivery_that_lost_a_fact(db_session: Session) -> None:
    delivery_id, fact = _deletable_fact(db_session)
    db_session.delete(fact)
    db_session.flush()
    found = list(incomplete_services(db_session=db_session))
    assert [finding.delivery_id for finding in found] == [delivery_id]
    assert len(found[0].problems) == 1


def test_a_proof_of_service_can_be_made_for_every_demo_method(db_session: Session) -> None:
    first_by_method = {attempt.method: attempt for attempt in reversed(_served_attempts(db_session))}
    for attempt in first_by_method.values():
        proof = generate_proof(db_session=db_session, attempt_id=attempt.id)
        assert absolute_path(proof.file_path).read_bytes().startswith(b"%PDF"), attempt.method
