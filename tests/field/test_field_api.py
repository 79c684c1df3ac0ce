"""Field delivery through the API: assignment seen only by its officer, on-site evidence checked on
arrival, serving only with every fact (and the proof listing them), a failed visit handing over to the
router within 24 hours, and the mileage figures."""

import hashlib
import io
import struct
import zlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.audit.models import AuditLog
from backend.auth.models import User
from backend.auth.roles import Role
from backend.deliveries.enums import AttemptStatus, DeliveryMethod
from backend.deliveries.models import DeliveryAttempt
from backend.parties.enums import ContactState
from backend.parties.models import ContactPoint
from backend.proofs import facts as proof_facts
from backend.proofs.models import ProofOfService
from tests.field.conftest import FieldWorld
from tests.polling import poll_until

Login = Callable[..., tuple[User, dict[str, str]]]
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200


def png() -> bytes:
    """A real 1x1 PNG (a signature as the phone's canvas exports it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00"))
        + chunk(b"IEND", b"")
    )


def _assign(
    client: TestClient, supervisor: dict[str, str], world: FieldWorld, officer: User, ids: list[int]
) -> list[dict]:  # type: ignore[type-arg]
    body = {"attempt_ids": ids, "officer_id": officer.id, "day": world.day.isoformat()}
    answer = client.post("/api/field/assignments", json=body, headers=supervisor)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _upload(
    client: TestClient,
    headers: dict[str, str],
    assignment_id: int,
    purpose: str,
    name: str,
    content: bytes,
    sha256: str | None = None,
):  # type: ignore[no-untyped-def]
    data = {"purpose": purpose, "sha256": sha256 or hashlib.sha256(content).hexdigest()}
    files = {"file": (name, io.BytesIO(content), "application/octet-stream")}
    return client.post(f"/api/field/tasks/{assignment_id}/media", data=data, files=files, headers=headers)


def _check_in(client: TestClient, headers: dict[str, str], assignment_id: int) -> None:
    body = {"lon": 116.3601, "lat": 39.9152, "accuracy_m": 8}
    answer = client.post(f"/api/field/tasks/{assignment_id}/check-in", json=body, headers=headers)
    assert answer.status_code == 200, answer.text


def test_an_officer_sees_only_the_visits_assigned_to_them(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    first, first_headers = as_role(Role.field_officer)
    second, second_headers = as_role(Role.field_officer)
    mine = _assign(client, supervisor, field_world, first, field_world.attempt_ids[:2])
    theirs = _assign(client, supervisor, field_world, second, field_world.attempt_ids[2:3])

    own = client.get("/api/field/tasks", headers=first_headers).json()["stops"]
    assert {stop["attempt_id"] for stop in own} == set(field_world.attempt_ids[:2])
    assert all(
        stop["navigation"]["amap_web"].startswith("https://uri.amap.com/navigation?to=") for stop in own
    )
    assert (
        client.get(f"/api/field/tasks/{theirs[0]['assignment_id']}", headers=first_headers).status_code == 404
    )
    assert (
        client.get("/api/field/tasks", params={"officer_id": second.id}, headers=first_headers).status_code
        == 403
    )
    assert client.get("/api/field/attempts", headers=first_headers).status_code == 403
    assert (
        client.post(
            f"/api/field/tasks/{theirs[0]['assignment_id']}/check-in",
            json={"lon": 116.3, "lat": 39.9, "accuracy_m": 5},
            headers=first_headers,
        ).status_code
        == 404
    )
    assert len(client.get("/api/field/tasks", headers=second_headers).json()["stops"]) == 1

    listed = client.get("/api/field/attempts", params={"district": "西城区"}, headers=supervisor).json()
    assert {stop["attempt_id"] for stop in listed} == set(field_world.attempt_ids[:2])
    assert {stop["officer_id"] for stop in listed} == {first.id}
    with database.get_session() as session:
        actions = set(session.scalars(select(AuditLog.action).where(AuditLog.action.like("field_%"))))
    assert {"field_assigned", "field_tasks_read", "field_attempts_read"} <= actions
    assert mine[0]["assignment_id"] is not None


def test_an_upload_is_refused_when_it_is_not_what_its_name_says_or_changed_in_transit(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer)
    (stop,) = _assign(client, supervisor, field_world, officer, field_world.attempt_ids[:1])
    before = _upload(client, headers, stop["assignment_id"], "photo", "door.jpg", JPEG)
    assert before.status_code == 409 and "签到" in before.json()["detail"]
    _check_in(client, headers, stop["assignment_id"])

    fake = _upload(client, headers, stop["assignment_id"], "photo", "door.jpg", "这不是照片".encode())
    assert fake.status_code == 422 and "内容与扩展名 .jpg 不符" in fake.json()["detail"]
    changed = _upload(client, headers, stop["assignment_id"], "photo", "door.jpg", JPEG, sha256="0" * 64)
    assert changed.status_code == 422 and "SHA-256 不符" in changed.json()["detail"]
    kept = _upload(client, headers, stop["assignment_id"], "photo", "door.jpg", JPEG)
    assert kept.status_code == 201 and kept.json()["sha256"] == hashlib.sha256(JPEG).hexdigest()
    facts = client.get(f"/api/field/tasks/{stop['assignment_id']}", headers=headers).json()["facts"]
    assert {"address", "gps", "visited_at", "officer", "photo"} <= set(facts)


def test_a_visit_serves_only_with_every_fact_and_its_proof_lists_them(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer, full_name="赵刚")
    _assign(client, supervisor, field_world, officer, field_world.attempt_ids[:2])
    planned = client.post(
        "/api/field/routes", json={"day": field_world.day.isoformat()}, headers=headers
    ).json()
    stop = planned["stops"][0]
    assert stop["route_order"] == 1 and stop["leg_km"] > 0
    _check_in(client, headers, stop["assignment_id"])
    outcome = {"result": "served", "received_by": "本人 当事人1"}
    missing = client.post(f"/api/field/tasks/{stop['assignment_id']}/outcome", json=outcome, headers=headers)
    assert missing.status_code == 409
    assert "签收人签名" in missing.json()["detail"] and "现场照片或视频" in missing.json()["detail"]

    assert _upload(client, headers, stop["assignment_id"], "photo", "handover.jpg", JPEG).status_code == 201
    assert (
        _upload(client, headers, stop["assignment_id"], "signature", "signature.png", png()).status_code
        == 201
    )
    served = client.post(f"/api/field/tasks/{stop['assignment_id']}/outcome", json=outcome, headers=headers)
    assert served.status_code == 200, served.text
    assert served.json()["stop"]["attempt_status"] == "succeeded"

    attempt_id = stop["attempt_id"]
    with database.get_session() as session:
        poll_until(
            lambda: (
                session.scalars(select(ProofOfService).where(ProofOfService.attempt_id == attempt_id)).first()
                or session.expire_all()
            ),
            timeout=20,
            what="the field proof",
        )
        lines = proof_facts.required_facts(
            db_session=session, attempt=session.get_one(DeliveryAttempt, attempt_id)
        )
    stated = {line.label: line.value for line in lines}
    assert stated["到达时的 GPS 位置"] == "116.360100,39.915200 ±8 米（WGS-84）"
    assert stated["送达人员"].startswith("赵刚")
    assert stated["签收人（本人或同住成年家属）"] == "本人 当事人1"
    assert stated["本次里程（公里）"].endswith("（规划路线，无GPS轨迹）")
    assert hashlib.sha256(JPEG).hexdigest() in stated["现场照片或视频"]


def test_left_with_refusal_needs_a_witness_signature_or_a_photo(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer)
    (stop,) = _assign(client, supervisor, field_world, officer, field_world.attempt_ids[:1])
    client.post("/api/field/routes", json={"day": field_world.day.isoformat()}, headers=headers)
    _check_in(client, headers, stop["assignment_id"])
    left = {
        "result": "left_with_refusal",
        "refusal_note": "当事人拒绝签收，文书留置于门口",
        "witness_name": "王五",
    }
    refused = client.post(f"/api/field/tasks/{stop['assignment_id']}/outcome", json=left, headers=headers)
    assert refused.status_code == 409 and "见证人或拍照/录像记录" in refused.json()["detail"]

    assert (
        _upload(client, headers, stop["assignment_id"], "witness_signature", "witness.png", png()).status_code
        == 201
    )
    served = client.post(f"/api/field/tasks/{stop['assignment_id']}/outcome", json=left, headers=headers)
    assert served.status_code == 200, served.text
    assert "witness" in served.json()["stop"]["facts"]


def test_a_failed_visit_fails_the_attempt_and_the_router_plans_the_next_method_within_24_hours(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer)
    (stop,) = _assign(client, supervisor, field_world, officer, field_world.attempt_ids[:1])
    _check_in(client, headers, stop["assignment_id"])
    answer = client.post(
        f"/api/field/tasks/{stop['assignment_id']}/outcome", json={"result": "wrong_address"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["stop"]["attempt_status"] == "failed"
    assert answer.json()["next_method"] is not None
    with database.get_session() as session:
        failed = session.get_one(DeliveryAttempt, stop["attempt_id"])
        following = [a for a in failed.delivery.attempts if a.status is AttemptStatus.planned]
        assert len(following) == 1 and following[0].method is not DeliveryMethod.field
        assert following[0].start_by is not None and following[0].start_by <= datetime.now(UTC) + timedelta(
            hours=24
        )
        assert session.get_one(ContactPoint, field_world.contact_ids[0]).state is ContactState.invalid


def test_mileage_counts_the_gps_track_and_the_planned_route_per_day_and_month(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer)
    (stop,) = _assign(client, supervisor, field_world, officer, field_world.attempt_ids[:1])
    route = client.post(
        "/api/field/routes", json={"day": field_world.day.isoformat()}, headers=headers
    ).json()
    start = datetime.now(UTC) - timedelta(minutes=30)
    # 1 km due north in 11 fixes a minute apart, one of them off by 5 km (a jump), one with 300 m accuracy.
    fixes = [
        {
            "at": (start + timedelta(minutes=i)).isoformat(),
            "lon": 116.36,
            "lat": 39.90 + i * 0.0008993,
            "accuracy_m": 10,
        }
        for i in range(11)
    ]
    fixes[4] = {**fixes[4], "lat": 39.95}
    fixes[7] = {**fixes[7], "lon": 116.37, "accuracy_m": 300}
    sent = client.post("/api/field/track", json={"fixes": fixes}, headers=headers)
    assert sent.json() == {"added": 11}
    assert client.post("/api/field/track", json={"fixes": fixes[:3]}, headers=headers).json() == {"added": 0}
    _check_in(client, headers, stop["assignment_id"])

    month = field_world.day.strftime("%Y-%m")
    figures = client.get("/api/field/mileage", params={"month": month}, headers=headers).json()
    (day,) = figures["days"]
    assert abs(day["track_km"] - 1.0) < 0.02
    assert day["planned_km"] == route["route"]["planned_km"] > 0
    assert (day["stops"], day["visited"]) == (1, 1)
    assert figures["track_km"] == day["track_km"]
    assert (
        client.get(
            "/api/field/mileage", params={"month": month, "officer_id": officer.id}, headers=supervisor
        ).status_code
        == 200
    )
    assert client.get("/api/field/mileage", params={"month": "2026-13"}, headers=headers).status_code == 422
