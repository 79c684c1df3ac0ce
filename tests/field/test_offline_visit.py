"""What the officer's phone sends after a spell without signal: files in resumable chunks checked against
the hash taken at capture, signatures drawn on the phone, a check-in and a result sent late or twice, and
the visit's outcome with its own reason when it fails."""

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from backend import database
from backend.auth.models import User
from backend.auth.roles import Role
from backend.core import schedule
from backend.deliveries.enums import AttemptOutcome, AttemptStatus
from backend.deliveries.models import DeliveryAttempt
from backend.evidence import storage
from backend.evidence.models import Evidence
from backend.field import uploads
from backend.field.models import FieldUpload
from backend.field.tasks import PURGE_UPLOADS_TASK
from tests.field.conftest import FieldWorld
from tests.field.test_field_api import JPEG, png

Login = Callable[..., tuple[User, dict[str, str]]]
PHOTO = JPEG + bytes(range(256)) * 40  # about 10 kB: several chunks


def _visit(
    client: TestClient, world: FieldWorld, as_role: Login, index: int = 0
) -> tuple[int, dict[str, str]]:
    """An officer with one visit assigned, checked in at the door: (assignment id, the officer's headers)."""
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer, full_name="赵刚")
    body = {"attempt_ids": [world.attempt_ids[index]], "officer_id": officer.id, "day": world.day.isoformat()}
    (stop,) = client.post("/api/field/assignments", json=body, headers=supervisor).json()
    client.post("/api/field/routes", json={"day": world.day.isoformat()}, headers=headers)
    check_in = {"lon": 116.3601, "lat": 39.9152, "accuracy_m": 8}
    answer = client.post(f"/api/field/tasks/{stop['assignment_id']}/check-in", json=check_in, headers=headers)
    assert answer.status_code == 200, answer.text
    return stop["assignment_id"], headers


def _declare(client: TestClient, headers: dict[str, str], assignment_id: int, content: bytes, **extra: str):  # type: ignore[no-untyped-def]
    body = {
        "purpose": "photo",
        "filename": "door.jpg",
        "size_bytes": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        **extra,
    }
    return client.post(f"/api/field/tasks/{assignment_id}/uploads", json=body, headers=headers)


def _chunk(client: TestClient, headers: dict[str, str], upload_id: int, offset: int, data: bytes):  # type: ignore[no-untyped-def]
    return client.put(
        f"/api/field/uploads/{upload_id}/chunk",
        content=data,
        headers={**headers, "Upload-Offset": str(offset), "Content-Type": "application/octet-stream"},
    )


def _signature(signer: str, purpose: str = "signature") -> dict[str, object]:
    strokes = [{"points": [{"x": 10 + i, "y": 20 + i % 3, "time": 1000 + i} for i in range(12)]}]
    png_url = "data:image/png;base64," + base64.b64encode(png()).decode()
    signed_at = datetime(2026, 12, 6, 6, 30, tzinfo=UTC).isoformat()
    return {
        "purpose": purpose,
        "signer": signer,
        "signed_at": signed_at,
        "strokes": strokes,
        "png_data_url": png_url,
    }


def test_an_interrupted_upload_resumes_from_the_last_byte_and_a_retried_chunk_is_kept_once(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    upload = _declare(client, headers, assignment_id, PHOTO).json()
    assert (upload["received_bytes"], upload["state"]) == (0, "receiving")

    first = _chunk(client, headers, upload["upload_id"], 0, PHOTO[:4000])
    assert first.json()["received_bytes"] == 4000
    # the connection dropped before the phone saw that answer: it sends the same chunk again
    again = _chunk(client, headers, upload["upload_id"], 0, PHOTO[:4000])
    assert again.json()["received_bytes"] == 4000
    # a chunk from beyond what arrived is refused with where to resume
    gap = _chunk(client, headers, upload["upload_id"], 6000, PHOTO[6000:8000])
    assert gap.status_code == 409 and "4000" in gap.json()["detail"]
    # the phone comes back: declaring the same file finds the upload and its offset
    resumed = _declare(client, headers, assignment_id, PHOTO).json()
    assert (resumed["upload_id"], resumed["received_bytes"]) == (upload["upload_id"], 4000)
    overlapping = _chunk(client, headers, upload["upload_id"], 3000, PHOTO[3000:7000])
    assert overlapping.json()["received_bytes"] == 7000
    done = _chunk(client, headers, upload["upload_id"], 7000, PHOTO[7000:])
    assert done.status_code == 200 and done.json()["state"] == "stored"
    assert _chunk(client, headers, upload["upload_id"], 7000, PHOTO[7000:]).json()["state"] == "stored"

    with database.get_session() as session:
        stored = session.get_one(Evidence, done.json()["evidence_id"])
        assert stored.sha256 == hashlib.sha256(PHOTO).hexdigest()
        assert storage.absolute_path(stored.file_path).read_bytes() == PHOTO
        photos = session.scalars(select(Evidence).where(Evidence.sha256 == stored.sha256)).all()
        assert len(photos) == 1
    facts = client.get(f"/api/field/tasks/{assignment_id}", headers=headers).json()["facts"]
    assert "photo" in facts


def test_an_upload_whose_bytes_do_not_match_the_phones_hash_is_refused_and_the_officer_told(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    upload = _declare(client, headers, assignment_id, PHOTO).json()
    damaged = PHOTO[:5000] + b"\x00" + PHOTO[5001:]
    _chunk(client, headers, upload["upload_id"], 0, damaged[:5000])
    refused = _chunk(client, headers, upload["upload_id"], 5000, damaged[5000:])
    assert refused.status_code == 422
    assert "SHA-256 不符" in refused.json()["detail"] and refused.json()["upload"]["state"] == "refused"
    assert (
        client.get(f"/api/field/uploads/{upload['upload_id']}", headers=headers).json()["state"] == "refused"
    )
    assert "photo" not in client.get(f"/api/field/tasks/{assignment_id}", headers=headers).json()["facts"]
    with database.get_session() as session:
        assert (
            session.scalars(
                select(Evidence).where(Evidence.sha256 == hashlib.sha256(damaged).hexdigest())
            ).first()
            is None
        )

    # sent again, it starts from its first byte and is kept
    again = _declare(client, headers, assignment_id, PHOTO).json()
    assert (again["upload_id"], again["received_bytes"], again["state"]) == (
        upload["upload_id"],
        0,
        "receiving",
    )
    assert _chunk(client, headers, upload["upload_id"], 0, PHOTO).json()["state"] == "stored"


def test_uploads_are_the_officers_own_and_checked_before_a_byte_is_sent(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    upload = _declare(client, headers, assignment_id, PHOTO).json()
    _, other = as_role(Role.field_officer)
    assert client.get(f"/api/field/uploads/{upload['upload_id']}", headers=other).status_code == 404
    assert _chunk(client, other, upload["upload_id"], 0, PHOTO).status_code == 404
    _, supervisor = as_role(Role.supervisor)
    assert _chunk(client, supervisor, upload["upload_id"], 0, PHOTO).status_code == 403
    wrong_kind = _declare(client, headers, assignment_id, PHOTO + b"!", filename="door.exe")
    assert wrong_kind.status_code == 422 and "现场照片须为" in wrong_kind.json()["detail"]
    too_big = client.post(
        f"/api/field/tasks/{assignment_id}/uploads",
        json={"purpose": "photo", "filename": "a.jpg", "size_bytes": 10**10, "sha256": "0" * 64},
        headers=headers,
    )
    assert too_big.status_code == 422 and "过大" in too_big.json()["detail"]


def test_the_recipient_signs_on_the_phone_and_the_visit_serves_with_the_signature_as_its_fact(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    signed = client.post(
        f"/api/field/tasks/{assignment_id}/signatures", json=_signature("当事人1"), headers=headers
    )
    assert signed.status_code == 200, signed.text
    resent = client.post(
        f"/api/field/tasks/{assignment_id}/signatures", json=_signature("当事人1"), headers=headers
    )
    assert resent.json()["image_evidence_id"] == signed.json()["image_evidence_id"]
    upload = _declare(client, headers, assignment_id, PHOTO).json()
    _chunk(client, headers, upload["upload_id"], 0, PHOTO)
    outcome = {"result": "served_to_family", "received_by": "配偶 李四"}
    served = client.post(f"/api/field/tasks/{assignment_id}/outcome", json=outcome, headers=headers)
    assert served.status_code == 200, served.text
    assert served.json()["stop"]["attempt_status"] == "succeeded"
    assert {"signature", "photo", "received_by"} <= set(served.json()["stop"]["facts"])
    with database.get_session() as session:
        image = session.get_one(Evidence, signed.json()["image_evidence_id"])
        assert image.metadata_json["signer"] == "当事人1" and image.content_type == "image/png"


def test_a_refusal_is_left_only_with_a_witness_signature_or_a_photo_of_the_documents_left(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    left = {"result": "left_with_refusal", "refusal_note": "当事人拒绝签收，文书留置于门口"}
    refused = client.post(f"/api/field/tasks/{assignment_id}/outcome", json=left, headers=headers)
    assert refused.status_code == 409 and "见证人或拍照/录像记录" in refused.json()["detail"]
    witness = _signature("王五（物业管理员）", purpose="witness_signature")
    assert (
        client.post(f"/api/field/tasks/{assignment_id}/signatures", json=witness, headers=headers).status_code
        == 200
    )
    served = client.post(f"/api/field/tasks/{assignment_id}/outcome", json=left, headers=headers)
    assert served.status_code == 200, served.text
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, field_world.attempt_ids[0])
        witness_fact = next(fact for fact in attempt.facts if fact.key == "witness")
        assert attempt.outcome is AttemptOutcome.left_with_refusal
        assert witness_fact.value.startswith("见证人 王五（物业管理员）")


@pytest.mark.parametrize("result", ["nobody_home", "moved", "wrong_address"])
def test_a_failed_visit_keeps_its_own_reason_and_the_router_plans_the_next_method(
    client: TestClient, field_world: FieldWorld, as_role: Login, result: str
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    body = {"result": result, "notes": "敲门十分钟无人应答"}
    answer = client.post(f"/api/field/tasks/{assignment_id}/outcome", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["next_method"] is not None
    replay = client.post(f"/api/field/tasks/{assignment_id}/outcome", json=body, headers=headers)
    assert replay.status_code == 200 and replay.json()["next_method"] == answer.json()["next_method"]
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, field_world.attempt_ids[0])
        assert attempt.status is AttemptStatus.failed and attempt.outcome is AttemptOutcome(result)
        planned = [a for a in attempt.delivery.attempts if a.status is AttemptStatus.planned]
        assert len(planned) == 1


def test_a_check_in_queued_without_signal_counts_at_the_phones_time_and_is_answered_once(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    _, supervisor = as_role(Role.supervisor)
    officer, headers = as_role(Role.field_officer)
    body = {
        "attempt_ids": field_world.attempt_ids[:1],
        "officer_id": officer.id,
        "day": field_world.day.isoformat(),
    }
    (stop,) = client.post("/api/field/assignments", json=body, headers=supervisor).json()
    at_door = (datetime.now(UTC) - timedelta(minutes=40)).replace(microsecond=0)
    check_in = {"lon": 116.36, "lat": 39.91, "accuracy_m": 12, "phone_time": at_door.isoformat()}
    first = client.post(f"/api/field/tasks/{stop['assignment_id']}/check-in", json=check_in, headers=headers)
    again = client.post(f"/api/field/tasks/{stop['assignment_id']}/check-in", json=check_in, headers=headers)
    assert first.status_code == again.status_code == 200
    assert datetime.fromisoformat(first.json()["checked_in_at"]) == at_door
    moved = {**check_in, "lon": 116.40}
    assert (
        client.post(
            f"/api/field/tasks/{stop['assignment_id']}/check-in", json=moved, headers=headers
        ).status_code
        == 409
    )
    with database.get_session() as session:
        attempt = session.get_one(DeliveryAttempt, field_world.attempt_ids[0])
        visited = next(fact for fact in attempt.facts if fact.key == "visited_at")
        assert datetime.fromisoformat(visited.value) == at_door


def test_an_upload_abandoned_for_a_week_is_cleared_by_the_hourly_job_and_sent_again_from_its_first_byte(
    client: TestClient, field_world: FieldWorld, as_role: Login
) -> None:
    assignment_id, headers = _visit(client, field_world, as_role)
    upload = _declare(client, headers, assignment_id, PHOTO).json()
    _chunk(client, headers, upload["upload_id"], 0, PHOTO[:3000])
    assert PURGE_UPLOADS_TASK in {job.task_name for job in schedule.jobs()}
    with database.get_session() as session:
        row = session.get_one(FieldUpload, upload["upload_id"])
        part = uploads.part_path(row)
        assert part.stat().st_size == 3000
        assert uploads.purge_abandoned_uploads(db_session=session, now=datetime.now(UTC)) == 0
        later = datetime.now(UTC) + timedelta(days=8)
        assert uploads.purge_abandoned_uploads(db_session=session, now=later) == 1
    assert not part.exists()
    cleared = client.get(f"/api/field/uploads/{upload['upload_id']}", headers=headers).json()
    assert cleared["state"] == "refused" and "超过 7 天" in cleared["refusal"]
    again = _declare(client, headers, assignment_id, PHOTO).json()
    assert (again["received_bytes"], again["state"]) == (0, "receiving")
    assert _chunk(client, headers, upload["upload_id"], 0, PHOTO).json()["state"] == "stored"
