"""The case file view holds the whole file; document downloads stream the stored bytes."""

import hashlib
from collections.abc import Callable

from fastapi.testclient import TestClient

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import DeliveryMethod
from backend.deliveries.models import DeliveryAttempt, attempt_evidence
from backend.evidence.enums import EvidenceKind
from backend.evidence.models import Evidence
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def _add_recording(world: World, creator: User) -> tuple[int, int]:
    with database.get_session() as session:
        attempt = DeliveryAttempt(delivery_id=world.delivery_id, method=DeliveryMethod.phone)
        evidence = Evidence(
            case_id=world.civil_case_id,
            kind=EvidenceKind.recording_mix,
            file_path="rec/1.wav",
            sha256="ab" * 32,
            size_bytes=48_000,
            content_type="audio/wav",
            created_by_user_id=creator.id,
        )
        session.add_all([attempt, evidence])
        session.flush()
        session.execute(attempt_evidence.insert().values(attempt_id=attempt.id, evidence_id=evidence.id))
        return attempt.id, evidence.id


def test_case_file_holds_parties_contacts_documents_deliveries_and_evidence(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    agent, headers = as_user(Role.supervisor)
    attempt_id, evidence_id = _add_recording(world, agent)
    response = client.get(f"/api/cases/{world.civil_case_id}/file", headers=headers)
    assert response.status_code == 200, response.text
    case_file = response.json()
    assert case_file["case"]["case_number"] == "(2026)京0102民初101号"
    assert case_file["court_name"] == "北京市西城区人民法院"
    assert [party["name"] for party in case_file["parties"]] == ["张伟", "刘洋"]
    phone = case_file["parties"][1]["contact_points"][0]
    assert (phone["value"], phone["kind"], phone["state"]) == ("13800138000", "phone", "unverified")
    assert [event["kind"] for event in phone["history"]] == ["added"]
    summons = next(doc for doc in case_file["documents"] if doc["id"] == world.summons_id)
    assert summons["sha256"] == world.summons_sha256 and summons["has_file"] is True
    assert "file_path" not in summons
    (delivery,) = case_file["deliveries"]
    assert delivery["id"] == world.delivery_id and delivery["party_name"] == "刘洋"
    assert [attempt["id"] for attempt in delivery["attempts"]] == [attempt_id]
    (evidence,) = case_file["evidence"]
    assert evidence["id"] == evidence_id
    assert evidence["attempt_ids"] == [attempt_id]
    assert (evidence["kind"], evidence["size_bytes"]) == ("recording_mix", 48_000)
    assert evidence["created_by_username"] == agent.username
    assert "file_path" not in evidence


def test_document_download_streams_the_stored_file(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    _, headers = as_user(Role.clerk, court_id=world.court_id)
    response = client.get(f"/api/documents/{world.summons_id}/file", headers=headers)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == world.summons_sha256
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert client.get("/api/documents/999999/file", headers=headers).status_code == 404
