"""Every read of personal data or evidence metadata leaves one audit row naming what it returned."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _rows(db_session: Session, user: User, action: str) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.actor_user_id == user.id, AuditLog.action == action)
    return list(db_session.scalars(query.order_by(AuditLog.id)))


def _only(db_session: Session, user: User, action: str) -> AuditLog:
    rows = _rows(db_session, user, action)
    assert len(rows) == 1, (action, rows)
    return rows[0]


def test_reads_of_personal_data_are_audited_with_the_ids_returned(
    client: TestClient, world: World, as_user: UserFactory, db_session: Session
) -> None:
    user, headers = as_user(Role.clerk, court_id=world.court_id)
    client.get("/api/parties", params={"case_id": world.civil_case_id}, headers=headers)
    client.get(f"/api/parties/{world.defendant_id}", headers=headers)
    client.get(f"/api/cases/{world.civil_case_id}/file", headers=headers)
    client.get("/api/deliveries", headers=headers)
    client.get(f"/api/deliveries/{world.delivery_id}", headers=headers)
    client.get(f"/api/documents/{world.summons_id}/file", headers=headers)

    party_list = _only(db_session, user, "party_list_read")
    assert party_list.detail["party_ids"] == [world.plaintiff_id, world.defendant_id]
    assert party_list.detail["filters"]["case_id"] == world.civil_case_id
    party = _only(db_session, user, "party_read")
    assert (party.object_id, party.case_id) == (str(world.defendant_id), world.civil_case_id)
    assert party.client_ip is not None
    case_file: dict[str, Any] = _only(db_session, user, "case_file_read").detail
    assert case_file["party_ids"] == [world.plaintiff_id, world.defendant_id]
    assert case_file["delivery_ids"] == [world.delivery_id]
    assert set(case_file["document_ids"]) == {world.summons_id, world.judgment_id}
    assert case_file["evidence_ids"] == []
    deliveries = _only(db_session, user, "delivery_list_read")
    assert deliveries.detail["delivery_ids"] == [world.overdue_delivery_id, world.delivery_id]
    assert _only(db_session, user, "delivery_read").object_id == str(world.delivery_id)
    download = _only(db_session, user, "document_download")
    assert download.detail["sha256"] == world.summons_sha256


def test_changes_are_audited_and_refused_reads_leave_no_read_row(
    client: TestClient, world: World, as_user: UserFactory, db_session: Session
) -> None:
    user, headers = as_user(Role.supervisor)
    agent, _ = as_user(Role.agent)
    url = f"/api/deliveries/{world.delivery_id}"
    client.post(f"{url}/assign", json={"assignee_user_id": agent.id}, headers=headers)
    attempt = client.post(f"{url}/attempts", json={"method": "phone"}, headers=headers).json()
    client.post(f"/api/attempts/{attempt['id']}/transition", json={"status": "in_progress"}, headers=headers)
    client.post(f"{url}/transition", json={"status": "cancelled"}, headers=headers)
    assert _only(db_session, user, "delivery_assigned").detail["to"] == agent.id
    assert _only(db_session, user, "attempt_created").object_id == str(attempt["id"])
    started = _only(db_session, user, "attempt_transition").detail
    assert (started["to"], started["delivery_status"]) == ("in_progress", "in_progress")
    cancelled = _only(db_session, user, "delivery_transition").detail
    assert cancelled == {"from": "in_progress", "to": "cancelled", "cancelled_attempt_ids": [attempt["id"]]}
    assert client.post(f"{url}/transition", json={"status": "pending"}, headers=headers).status_code == 409
    assert len(_rows(db_session, user, "delivery_transition")) == 1
    _, clerk_headers = as_user(Role.clerk, court_id=world.other_court_id)
    assert client.get(f"/api/parties/{world.defendant_id}", headers=clerk_headers).status_code == 404
    assert db_session.scalar(select(AuditLog).where(AuditLog.action == "party_read")) is None
