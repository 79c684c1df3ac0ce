"""Creating deliveries, attempts that move the delivery, assignment, and the rules that refuse."""

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.models import DeliveryAttempt
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from backend.evidence.verification import verify_case_chain
from tests.api.conftest import World
from tests.evidence.test_proof_flow import wait_for_proof
from tests.facts import record_required_facts

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _attempt(
    client: TestClient, headers: dict[str, str], delivery_id: int, **body: object
) -> dict[str, object]:
    response = client.post(f"/api/deliveries/{delivery_id}/attempts", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _move(
    client: TestClient, headers: dict[str, str], attempt_id: object, **body: object
) -> dict[str, object]:
    response = client.post(f"/api/attempts/{attempt_id}/transition", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _serve(
    client: TestClient, headers: dict[str, str], attempt_id: object, **body: object
) -> dict[str, object]:
    """Record what the attempt's channel requires, then declare it served through /serve."""
    with database.get_session() as session:
        record_required_facts(session, session.get_one(DeliveryAttempt, int(str(attempt_id))))
    response = client.post(f"/api/attempts/{attempt_id}/serve", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _delivery(client: TestClient, headers: dict[str, str], delivery_id: int) -> dict[str, object]:
    return dict(client.get(f"/api/deliveries/{delivery_id}", headers=headers).json())


def test_clerk_creates_a_delivery_for_a_case_of_their_court(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    body = {
        "case_id": world.civil_case_id,
        "party_id": world.plaintiff_id,
        "document_ids": [world.summons_id],
        "deadline": "2026-04-01",
    }
    response = client.post("/api/deliveries", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["status"] == "pending"
    assert created["document_ids"] == [world.summons_id]
    assert created["case_number"] == "(2026)京0102民初101号"
    assert created["party_name"] == "张伟"
    other_court = body | {"case_id": world.other_case_id}
    assert client.post("/api/deliveries", json=other_court, headers=headers).status_code == 404


def test_delivery_references_must_belong_to_the_case(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    base = {"case_id": world.commercial_case_id, "document_ids": [world.summons_id]}
    wrong_party = base | {"party_id": world.plaintiff_id}
    response = client.post("/api/deliveries", json=wrong_party, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "当事人不属于该案件"
    right_case_wrong_document = {**base, "case_id": world.civil_case_id, "party_id": world.plaintiff_id}
    right_case_wrong_document["document_ids"] = [world.summons_id, 999_999]
    assert client.post("/api/deliveries", json=right_case_wrong_document, headers=headers).status_code == 422


def test_first_started_attempt_puts_delivery_in_progress_and_success_serves_it(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    agent, headers = as_user(Role.agent, agent_group="民事组")
    _, boss = as_user(Role.supervisor)
    assign = {"assignee_user_id": agent.id}
    assert (
        client.post(f"/api/deliveries/{world.delivery_id}/assign", json=assign, headers=boss).status_code
        == 200
    )
    first = _attempt(
        client, headers, world.delivery_id, method="phone", contact_point_id=world.phone_contact_id
    )
    assert first["status"] == "planned" and first["performed_by_user_id"] == agent.id
    assert _delivery(client, headers, world.delivery_id)["status"] == "pending"
    _move(client, headers, first["id"], status="in_progress")
    assert _delivery(client, headers, world.delivery_id)["status"] == "in_progress"
    failed = _move(client, headers, first["id"], status="failed", outcome="no_answer")
    assert failed["outcome"] == "no_answer" and failed["ended_at"] is not None
    second = _attempt(client, headers, world.delivery_id, method="electronic")
    _move(client, headers, second["id"], status="in_progress")
    done = _serve(client, headers, second["id"])
    assert done["outcome"] == "served"
    delivery = _delivery(client, headers, world.delivery_id)
    assert delivery["status"] == "served"
    assert delivery["served_method"] == "electronic"
    assert delivery["legal_service_date"] == "2026-03-05"  # the recorded moment of service, in Beijing
    assert delivery["served_at"] is not None
    assert delivery["assignee_user_id"] == agent.id and delivery["agent_group"] == "民事组"


def test_no_attempt_on_a_served_or_cancelled_delivery(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    attempt = _attempt(client, headers, world.delivery_id, method="pickup")
    spare = _attempt(client, headers, world.delivery_id, method="postal")
    _move(client, headers, attempt["id"], status="in_progress")
    _serve(client, headers, attempt["id"])
    response = client.post(
        f"/api/deliveries/{world.delivery_id}/attempts", json={"method": "phone"}, headers=headers
    )
    assert response.status_code == 409
    assert "已送达" in response.json()["detail"]
    spare_now = client.post(
        f"/api/attempts/{spare['id']}/transition", json={"status": "in_progress"}, headers=headers
    )
    assert spare_now.status_code == 409  # the planned spare was cancelled when the delivery was served
    cancel = {"status": "cancelled"}
    client.post(f"/api/deliveries/{world.overdue_delivery_id}/transition", json=cancel, headers=headers)
    refused = client.post(
        f"/api/deliveries/{world.overdue_delivery_id}/attempts", json={"method": "phone"}, headers=headers
    )
    assert refused.status_code == 409
    assert "已撤销" in refused.json()["detail"]


def test_a_judgment_is_never_served_by_phone(client: TestClient, world: World, as_user: UserFactory) -> None:
    _, headers = as_user(Role.supervisor)
    body = {
        "case_id": world.civil_case_id,
        "party_id": world.defendant_id,
        "document_ids": [world.judgment_id],
    }
    delivery_id = client.post("/api/deliveries", json=body, headers=headers).json()["id"]
    attempt = _attempt(client, headers, delivery_id, method="phone")
    _move(client, headers, attempt["id"], status="in_progress")
    response = client.post(f"/api/attempts/{attempt['id']}/serve", json={}, headers=headers)
    assert response.status_code == 409
    assert "不能电话送达" in response.json()["detail"]
    wrong_outcome = {"outcome": "no_answer"}
    response = client.post(f"/api/attempts/{attempt['id']}/serve", json=wrong_outcome, headers=headers)
    assert response.status_code == 422


def test_assignment_only_to_active_agents_and_field_officers(
    client: TestClient, world: World, as_user: UserFactory, make_user: Callable[..., User]
) -> None:
    _, headers = as_user(Role.admin)
    clerk = make_user(Role.clerk)
    officer = make_user(Role.field_officer, agent_group="外勤组")
    url = f"/api/deliveries/{world.delivery_id}/assign"
    assert client.post(url, json={"assignee_user_id": clerk.id}, headers=headers).status_code == 422
    response = client.post(url, json={"assignee_user_id": officer.id}, headers=headers)
    assert response.status_code == 200
    assert response.json()["agent_group"] == "外勤组"
    response = client.post(url, json={"assignee_user_id": None, "agent_group": "民事组"}, headers=headers)
    assert (response.json()["assignee_user_id"], response.json()["agent_group"]) == (None, "民事组")


def test_deadline_defaults_to_the_case_service_deadline(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.supervisor)
    body = {
        "case_id": world.civil_case_id,
        "party_id": world.plaintiff_id,
        "document_ids": [world.summons_id],
    }
    created = client.post("/api/deliveries", json=body, headers=headers).json()
    assert created["deadline"] == "2026-03-31"
    body["deadline"] = str(date(2026, 5, 1))
    assert client.post("/api/deliveries", json=body, headers=headers).json()["deadline"] == "2026-05-01"


def test_a_succeeded_attempt_gets_its_proof_of_service_without_anyone_asking(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, boss = as_user(Role.supervisor)
    attempt = _attempt(client, boss, world.delivery_id, method="pickup")
    _move(client, boss, attempt["id"], status="in_progress")
    _serve(client, boss, attempt["id"])

    proof = wait_for_proof(int(str(attempt["id"])))
    with database.get_session() as session:
        pdf = session.get_one(Evidence, proof.evidence_id)
        assert pdf.kind is EvidenceKind.proof_pdf
        assert verify_case_chain(db_session=session, case_id=proof.case_id).intact
