"""The router's periodic pass with a controlled clock, its alerts in the API, the in-process scheduler,
and `songda evidence audit` over served deliveries."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from typer.testing import CliRunner

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.cli import app as cli_app
from backend.core import schedule
from backend.core.clock import court_today
from backend.deliveries import planning
from backend.deliveries.enums import AttemptOutcome, AttemptStatus, DeliveryMethod, DeliveryStatus
from backend.deliveries.models import AddressConfirmation, AttemptFact, Delivery, DeliveryAttempt, RouterAlert
from backend.deliveries.sweep import run_router_pass
from backend.deliveries.tasks import ROUTER_PASS_TASK
from tests.api.conftest import World
from tests.facts import record_required_facts, serve_with_facts
from tests.polling import poll_until

UserFactory = Callable[..., tuple[User, dict[str, str]]]
TEN_AM = datetime(2026, 3, 5, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
runner = CliRunner()


def _failed_attempt(
    delivery_id: int, method: DeliveryMethod, outcome: AttemptOutcome, ended_at: datetime
) -> int:
    with database.get_session() as session:
        delivery = session.get_one(Delivery, delivery_id)
        delivery.status = DeliveryStatus.in_progress
        attempt = DeliveryAttempt(
            method=method,
            status=AttemptStatus.failed,
            outcome=outcome,
            started_at=ended_at,
            ended_at=ended_at,
        )
        delivery.attempts.append(attempt)
        session.flush()
        return attempt.id


def _pass(now: datetime) -> tuple[list[int], list[int]]:
    with database.get_session() as session:
        report = run_router_pass(db_session=session, now=now)
        return report.alerts_raised, report.planned


def test_a_failure_at_ten_with_no_start_by_ten_next_day_raises_one_alert(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    failed_id = _failed_attempt(world.delivery_id, DeliveryMethod.postal, AttemptOutcome.returned, TEN_AM)
    with database.get_session() as session:
        failed = session.get_one(DeliveryAttempt, failed_id)
        planned = planning.plan_after_failure(db_session=session, actor=None, failed=failed, now=TEN_AM)
        assert planned is not None and planned.start_by == TEN_AM + timedelta(hours=24)
        planned_id = planned.id

    assert _pass(TEN_AM + timedelta(hours=23, minutes=59)) == ([], [])
    assert _pass(TEN_AM + timedelta(hours=24, minutes=1)) == ([planned_id], [])
    assert _pass(TEN_AM + timedelta(hours=25)) == ([], [])  # raised once

    _, boss = as_user(Role.supervisor)
    (alert,) = client.get("/api/router/alerts", headers=boss).json()
    assert alert["attempt_id"] == planned_id and alert["resolved_at"] is None
    assert "2026-03-06 10:00 前启动" in alert["message"]
    assert (alert["case_number"], alert["party_name"], alert["method"]) == (
        "(2026)京0102民初101号",
        "刘洋",
        "phone",
    )
    _, agent = as_user(Role.agent)
    assert client.get("/api/router/alerts", headers=agent).status_code == 403

    started = client.post(
        f"/api/attempts/{planned_id}/transition", json={"status": "in_progress"}, headers=boss
    )
    assert started.status_code == 200
    with database.get_session() as session:
        assert run_router_pass(db_session=session, now=TEN_AM + timedelta(hours=26)).alerts_resolved == 1
    assert client.get("/api/router/alerts", headers=boss).json() == []
    assert len(client.get("/api/router/alerts", params={"open": False}, headers=boss).json()) == 1


def test_a_failure_left_without_a_plan_gets_its_next_attempt(world: World) -> None:
    _failed_attempt(world.delivery_id, DeliveryMethod.phone, AttemptOutcome.no_answer, TEN_AM)
    _, planned = _pass(TEN_AM + timedelta(minutes=5))
    assert len(planned) == 1
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, planned[0])
        assert (attempt.method, attempt.status) == (DeliveryMethod.phone, AttemptStatus.planned)
        assert attempt.start_by == TEN_AM + timedelta(hours=24)
    assert _pass(TEN_AM + timedelta(minutes=10)) == ([], [])  # planned once


def test_a_notice_is_served_by_the_pass_on_its_deemed_date(
    world: World, make_user: Callable[..., User]
) -> None:
    published = court_today() - timedelta(days=30)
    with database.get_session() as session:
        delivery = session.get_one(Delivery, world.delivery_id)
        delivery.status = DeliveryStatus.in_progress
        notice = DeliveryAttempt(
            method=DeliveryMethod.notice, status=AttemptStatus.in_progress, started_at=TEN_AM
        )
        delivery.attempts.append(notice)
        session.flush()
        record_required_facts(session, notice, values={"published_on": published.isoformat()})
        notice_id = notice.id
    with database.get_session() as session:
        report = run_router_pass(db_session=session, now=datetime.now(UTC))
    assert report.notices_served == [notice_id]
    with database.get_session() as session:
        served = session.get_one(DeliveryAttempt, notice_id)
        assert served.status is AttemptStatus.succeeded
        assert served.legal_service_date == published + timedelta(days=30)
        audited = select(AuditLog.actor_user_id).where(
            AuditLog.action == "attempt_transition", AuditLog.object_id == str(notice_id)
        )
        assert list(session.scalars(audited)) == [None]  # served by the system, and on the record


def test_the_in_process_scheduler_runs_the_router_pass(world: World) -> None:
    _failed_attempt(world.delivery_id, DeliveryMethod.phone, AttemptOutcome.busy, datetime.now(UTC))
    scheduler = schedule.InProcessScheduler([schedule.PeriodicJob(ROUTER_PASS_TASK, every_seconds=0.2)])
    scheduler.start()

    def planned() -> list[int] | None:
        with database.get_session() as session:
            query = select(DeliveryAttempt.id).where(DeliveryAttempt.status == AttemptStatus.planned)
            return list(session.scalars(query)) or None

    try:
        assert len(poll_until(planned, timeout=20, what="the scheduler never ran the router pass")) == 1
    finally:
        scheduler.stop()
    assert ROUTER_PASS_TASK in schedule.beat_schedule()


def test_evidence_audit_finds_a_served_delivery_whose_fact_row_was_deleted(
    world: World, make_user: Callable[..., User]
) -> None:
    agent = make_user(Role.agent)
    with database.get_session() as session:
        delivery = session.get_one(Delivery, world.delivery_id)
        delivery.status = DeliveryStatus.in_progress
        attempt = DeliveryAttempt(
            method=DeliveryMethod.pickup, status=AttemptStatus.in_progress, started_at=TEN_AM
        )
        delivery.attempts.append(attempt)
        session.flush()
        serve_with_facts(session, attempt, agent)
        attempt_id = attempt.id
    complete = runner.invoke(cli_app, ["evidence", "audit"], env={"COLUMNS": "200"})
    assert complete.exit_code == 0, complete.output
    assert "全部已送达的送达任务送达要件齐全" in complete.output

    with database.get_session() as session:
        session.execute(
            delete(AttemptFact).where(AttemptFact.attempt_id == attempt_id, AttemptFact.key == "signature")
        )
    found = runner.invoke(cli_app, ["evidence", "audit"], env={"COLUMNS": "200"})
    assert found.exit_code == 1, found.output
    assert f"送达任务 #{world.delivery_id}" in found.output and "缺少「受送达人签名」" in found.output
    with database.get_session() as session:
        assert session.scalar(select(RouterAlert.id)) is None  # the audit only reads


def _confirm_e_delivery(party_id: int) -> None:
    with database.get_session() as session:
        session.add(
            AddressConfirmation(
                party_id=party_id,
                mobile="13900139000",
                consents_to_electronic=True,
                obtained_via=DeliveryMethod.phone,
            )
        )


def _commercial_party_and_document(delivery_id: int) -> tuple[int, int]:
    with database.get_session() as session:
        delivery = session.get_one(Delivery, delivery_id)
        return delivery.party_id, delivery.documents[0].id


def test_a_new_commercial_delivery_to_a_party_who_confirmed_e_delivery_starts_electronic(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    party_id, document_id = _commercial_party_and_document(world.overdue_delivery_id)
    _, clerk = as_user(Role.clerk, court_id=world.court_id)
    body = {"case_id": world.commercial_case_id, "party_id": party_id, "document_ids": [document_id]}

    before = client.post("/api/deliveries", json=body, headers=clerk)
    assert before.status_code == 201 and before.json()["attempts"] == []  # no consent yet: the queue decides
    _confirm_e_delivery(party_id)
    created = client.post("/api/deliveries", json=body, headers=clerk)
    assert created.status_code == 201, created.text
    (attempt,) = created.json()["attempts"]
    assert (attempt["method"], attempt["status"]) == ("electronic", "planned")

    civil = {
        "case_id": world.civil_case_id,
        "party_id": world.defendant_id,
        "document_ids": [world.summons_id],
    }
    assert client.post("/api/deliveries", json=civil, headers=clerk).json()["attempts"] == []


def test_the_router_pass_plans_electronic_first_for_a_delivery_made_by_an_import(world: World) -> None:
    party_id, _ = _commercial_party_and_document(world.overdue_delivery_id)
    _confirm_e_delivery(party_id)
    with database.get_session() as session:  # the import writes rows directly: no attempt yet
        assert run_router_pass(db_session=session, now=TEN_AM).first_planned
    with database.get_session() as session:
        attempts = session.get_one(Delivery, world.overdue_delivery_id).attempts
        assert [(a.method, a.status) for a in attempts] == [
            (DeliveryMethod.electronic, AttemptStatus.planned)
        ]
        assert run_router_pass(db_session=session, now=TEN_AM).first_planned == []  # once
        other = session.get_one(Delivery, world.delivery_id)  # a civil case: left to the phone queue
        assert other.attempts == []
