"""Legal completeness: an attempt is served only through its channel, once every fact its method requires
is recorded with its evidence; the generic transition cannot declare success."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.clock import court_today
from backend.core.errors import InvalidRequest, RuleViolation
from backend.deliveries.channels import channel_for, installed_channels
from backend.deliveries.enums import AttemptOutcome, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.facts import record_fact
from backend.evidence.service import store_evidence
from backend.proofs.models import ProofOfService
from tests.api.conftest import World
from tests.facts import record_required_facts

UserFactory = Callable[..., tuple[User, dict[str, str]]]
SERVING = [
    (method, outcome)
    for method, channel in sorted(installed_channels().items())
    if method is not DeliveryMethod.phone  # phone facts come from its recorded call (tests/evidence)
    for outcome in sorted(channel.serving_outcomes)
]
EXPECTED_SERVICE_DATE = {DeliveryMethod.notice: date(2026, 2, 4)}  # published 2026-01-05 + 30 days


def _started(client: TestClient, headers: dict[str, str], delivery_id: int, method: DeliveryMethod) -> int:
    created = client.post(f"/api/deliveries/{delivery_id}/attempts", json={"method": method}, headers=headers)
    assert created.status_code == 201, created.text
    attempt_id = int(created.json()["id"])
    started = client.post(
        f"/api/attempts/{attempt_id}/transition", json={"status": "in_progress"}, headers=headers
    )
    assert started.status_code == 200, started.text
    return attempt_id


def _record(attempt_id: int, outcome: AttemptOutcome, skip: frozenset[str] = frozenset()) -> None:
    with database.get_session() as session:
        record_required_facts(session, session.get_one(DeliveryAttempt, attempt_id), outcome, skip=skip)


def _serve(client: TestClient, headers: dict[str, str], attempt_id: int, outcome: AttemptOutcome):  # type: ignore[no-untyped-def]
    return client.post(f"/api/attempts/{attempt_id}/serve", json={"outcome": outcome}, headers=headers)


@pytest.mark.parametrize(("method", "outcome"), SERVING)
def test_each_method_refuses_success_naming_every_missing_fact_until_all_are_recorded(
    client: TestClient, world: World, as_user: UserFactory, method: DeliveryMethod, outcome: AttemptOutcome
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, method)
    required = channel_for(method).required_facts(outcome)

    nothing = _serve(client, headers, attempt_id, outcome)
    assert nothing.status_code == 409
    assert all(fact.label in nothing.json()["detail"] for fact in required)

    last = required[-1]
    _record(attempt_id, outcome, skip=frozenset({last.key}))
    one_missing = _serve(client, headers, attempt_id, outcome)
    assert one_missing.status_code == 409 and "尚缺以下送达要件" in one_missing.json()["detail"]
    assert one_missing.json()["detail"].endswith(last.label)
    sheet = client.get(
        f"/api/attempts/{attempt_id}/facts", params={"outcome": outcome}, headers=headers
    ).json()
    assert (sheet["complete"], sheet["missing"]) == (False, [last.label])
    assert (
        client.get(f"/api/deliveries/{world.delivery_id}", headers=headers).json()["status"] == "in_progress"
    )

    _record(attempt_id, outcome, skip=frozenset(fact.key for fact in required[:-1]))
    served = _serve(client, headers, attempt_id, outcome)
    assert served.status_code == 200, served.text
    assert served.json()["outcome"] == outcome
    expected_date = EXPECTED_SERVICE_DATE.get(method, date(2026, 3, 5))  # tests.facts.MOMENT, in Beijing
    assert served.json()["legal_service_date"] == expected_date.isoformat()
    sheet = client.get(
        f"/api/attempts/{attempt_id}/facts", params={"outcome": outcome}, headers=headers
    ).json()
    assert sheet["complete"] is True and all(fact["evidence_id"] for fact in sheet["facts"])


@pytest.mark.parametrize("method", [DeliveryMethod.electronic, DeliveryMethod.field, DeliveryMethod.postal])
def test_the_generic_transition_never_produces_a_served_attempt(
    client: TestClient, world: World, as_user: UserFactory, method: DeliveryMethod
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, method)
    for facts_recorded in (False, True):
        if facts_recorded:
            _record(attempt_id, AttemptOutcome.served)
        response = client.post(
            f"/api/attempts/{attempt_id}/transition", json={"status": "succeeded"}, headers=headers
        )
        assert response.status_code == 409 and "/serve" in response.json()["detail"]
    delivery = client.get(f"/api/deliveries/{world.delivery_id}", headers=headers).json()
    assert delivery["status"] == "in_progress" and delivery["served_method"] is None


def test_a_notice_is_served_only_once_its_thirty_days_have_run(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, DeliveryMethod.notice)
    published = court_today() - timedelta(days=29)
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, attempt_id)
        record_required_facts(session, attempt, values={"published_on": published.isoformat()})
    early = _serve(client, headers, attempt_id, AttemptOutcome.served)
    assert early.status_code == 409
    assert f"{(published + timedelta(days=30)).isoformat()} 起视为送达" in early.json()["detail"]


def test_a_failure_through_the_api_plans_the_next_method_within_24_hours(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, DeliveryMethod.postal)
    failed = client.post(
        f"/api/attempts/{attempt_id}/transition",
        json={"status": "failed", "outcome": "returned"},
        headers=headers,
    )
    assert failed.status_code == 200, failed.text
    attempts = client.get(f"/api/deliveries/{world.delivery_id}", headers=headers).json()["attempts"]
    (planned,) = [a for a in attempts if a["status"] == "planned"]
    assert planned["method"] == "phone"  # no address on file: call the number for one before any notice
    ended = failed.json()["ended_at"]
    assert planned["start_by"] is not None and planned["start_by"] > ended
    gap = datetime.fromisoformat(planned["start_by"]) - datetime.fromisoformat(ended)
    assert timedelta(hours=23, minutes=59) <= gap <= timedelta(hours=24)


def test_facts_are_written_once_and_rest_on_evidence_of_the_same_case(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, DeliveryMethod.postal)
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, attempt_id)
        item = store_evidence(
            db_session=session, case_id=world.civil_case_id, kind=EvidenceKind.tracking, content=b"{}",
            content_type="application/json", created_by_system="ems",
        )  # fmt: skip
        foreign = store_evidence(
            db_session=session, case_id=world.other_case_id, kind=EvidenceKind.tracking, content=b"{}",
            content_type="application/json", created_by_system="ems",
        )  # fmt: skip
        first = record_fact(
            db_session=session, attempt=attempt, key="waybill_number", value="1186543210987", evidence=item
        )
        again = record_fact(
            db_session=session, attempt=attempt, key="waybill_number", value="1186543210987", evidence=item
        )
        assert again.id == first.id
        with pytest.raises(RuleViolation, match="已登记"):
            record_fact(db_session=session, attempt=attempt, key="waybill_number", value="999", evidence=item)
        with pytest.raises(InvalidRequest, match="不属于本案"):
            record_fact(db_session=session, attempt=attempt, key="address", value="北京", evidence=foreign)


def test_concurrent_proof_requests_return_one_proof(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, DeliveryMethod.pickup)
    _record(attempt_id, AttemptOutcome.served)
    assert _serve(client, headers, attempt_id, AttemptOutcome.served).status_code == 200

    def ask() -> tuple[int, int]:
        response = client.post("/api/proofs", json={"attempt_id": attempt_id}, headers=headers)
        return response.status_code, int(response.json().get("proof_id", 0))

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: ask(), range(8)))
    assert {status for status, _ in answers} == {201}, answers
    assert len({proof_id for _, proof_id in answers}) == 1
    with database.get_session() as session:
        count = session.scalar(
            select(func.count()).select_from(ProofOfService).where(ProofOfService.attempt_id == attempt_id)
        )
    assert count == 1


def test_without_a_confirmed_address_e_delivery_is_served_on_the_first_reply_or_view(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.delivery_id, DeliveryMethod.electronic)
    viewed, replied = datetime(2026, 3, 6, 15, 30, tzinfo=UTC), datetime(2026, 3, 8, 1, 0, tzinfo=UTC)
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, attempt_id)
        record_required_facts(session, attempt, skip=frozenset({"confirmed_address_arrival_at"}))
        for key, moment in (("replied_at", replied), ("viewed_at", viewed)):
            item = store_evidence(
                db_session=session, case_id=world.civil_case_id, kind=EvidenceKind.other,
                content=key.encode(), content_type="text/plain", created_by_system="portal",
                attempt_id=attempt_id,
            )  # fmt: skip
            record_fact(db_session=session, attempt=attempt, key=key, value=moment, evidence=item)
    served = _serve(client, headers, attempt_id, AttemptOutcome.served)
    assert served.status_code == 200, served.text
    assert served.json()["legal_service_date"] == "2026-03-06"  # the view, 23:30 in Beijing, came first


def test_a_failure_with_no_way_left_leaves_the_delivery_unservable(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt_id = _started(client, headers, world.overdue_delivery_id, DeliveryMethod.notice)
    failed = client.post(
        f"/api/attempts/{attempt_id}/transition",
        json={"status": "failed", "outcome": "unreachable"},
        headers=headers,
    )
    assert failed.status_code == 200, failed.text
    delivery = client.get(f"/api/deliveries/{world.overdue_delivery_id}", headers=headers).json()
    assert delivery["status"] == "unservable"  # no phone, no address, notice failed: a supervisor decides
    assert [a["status"] for a in delivery["attempts"]] == ["failed"]
