"""The administrators' audit log: filters on who, what, which object, when and from where, newest first,
paged by id; only administrators read it, and reading it is audited."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from backend import database
from backend.audit import service as audit_service
from backend.auth.models import User
from backend.auth.roles import Role
from tests.api.conftest import World

UserFactory = Callable[..., tuple[User, dict[str, str]]]


def test_the_admin_finds_who_read_a_record_by_object_and_pages_back(
    client: TestClient, world: World, as_user: UserFactory
) -> None:
    clerk, clerk_headers = as_user(Role.clerk, court_id=world.court_id)
    assert client.get(f"/api/documents/{world.summons_id}/file", headers=clerk_headers).status_code == 200
    with database.get_session() as session:
        for number in range(3):
            audit_service.record(
                db_session=session, actor=None, action="evidence_read", object_type="evidence",
                object_id=42, client_ip=f"10.0.0.{number}", actor_username="someone",
            )  # fmt: skip
    admin, headers = as_user(Role.admin)

    reads = client.get(
        "/api/audit", params={"actor": clerk.username, "action": "document_download"}, headers=headers
    ).json()
    [row] = reads["items"]
    assert row["object_id"] == str(world.summons_id) and row["action_label"] == "下载文书"
    assert row["client_ip"] == "testclient" and row["object_type_label"] == "文书"

    first = client.get(
        "/api/audit", params={"object_type": "evidence", "object_id": "42", "limit": 2}, headers=headers
    ).json()
    assert [item["client_ip"] for item in first["items"]] == ["10.0.0.2", "10.0.0.1"]
    rest = client.get(
        "/api/audit",
        params={"object_type": "evidence", "object_id": "42", "before_id": first["next_before_id"]},
        headers=headers,
    ).json()
    assert [item["client_ip"] for item in rest["items"]] == ["10.0.0.0"] and rest["next_before_id"] is None

    own = client.get(
        "/api/audit", params={"action": "audit_log_read", "actor": admin.username}, headers=headers
    )
    assert len(own.json()["items"]) == 3  # the three reads above, each audited
    assert client.get("/api/audit", headers=clerk_headers).status_code == 403
    _, supervisor_headers = as_user(Role.supervisor)
    assert client.get("/api/audit", headers=supervisor_headers).status_code == 403
    labels = client.get("/api/audit/actions", headers=headers).json()
    assert {"action": "evidence_read", "label": "查看/播放证据（录音、文书等）"} in labels
