"""Upload through the API, the in-process queue running the job, progress polled until done."""

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.audit.models import AuditLog
from backend.auth.roles import Role
from backend.config import get_settings
from backend.courts.models import Court
from backend.documents.models import Document
from backend.intake.models import ImportJob
from tests.intake.exports import CASE_1, csv_bytes, row, two_party_rows
from tests.polling import poll_until

Headers = dict[str, str]


def _court(db_session: Session, code: str, name: str) -> int:
    court = Court(code=code, name=name)
    db_session.add(court)
    db_session.commit()
    return court.id


@pytest.fixture()
def clerk(login: Callable[..., Headers], db_session: Session) -> Headers:
    """A clerk of the configured court (clerks may only import into their own court)."""
    settings = get_settings()
    court_id = _court(db_session, settings.default_court_code, settings.default_court_name)
    return login(Role.clerk, court_id=court_id)


def wait_for_job(client: TestClient, headers: Headers, job_id: int, timeout: float = 30) -> dict[str, Any]:
    """Poll the job until it is finished, or fail after TIMEOUT seconds."""

    def finished() -> dict[str, Any] | None:
        response = client.get(f"/api/intake/imports/{job_id}", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert 0 <= body["processed_rows"] <= max(body["total_rows"], 0)
        return body if body["status"] in ("done", "partial", "failed") else None

    return poll_until(finished, timeout=timeout, what=f"import job {job_id} did not finish")


def _documents_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{CASE_1}/传票.pdf", b"%PDF summons")
    return buffer.getvalue()


def test_clerk_uploads_an_export_and_follows_it_to_the_end(
    client: TestClient, clerk: Headers, db_session: Session
) -> None:
    headers = clerk
    files = {
        "file": ("西城法院导出.csv", csv_bytes(two_party_rows(), encoding="gbk"), "text/csv"),
        "documents": ("文书.zip", _documents_zip(), "application/zip"),
    }
    response = client.post("/api/intake/imports", headers=headers, files=files)
    assert response.status_code == 202, response.text
    job_id = response.json()["id"]
    job = wait_for_job(client, headers, job_id)
    assert job["status"] == "done", job["errors"]
    assert (job["processed_rows"], job["total_rows"], job["progress"]) == (3, 3, 1.0)
    assert job["summary"]["cases_created"] == 2 and job["summary"]["files_attached"] == 1
    assert job["filename"] == "西城法院导出.csv" and job["status_label"] == "已完成"
    summons = db_session.scalars(
        select(Document).where(Document.name == "传票", Document.file_path.is_not(None))
    )
    assert len(summons.all()) == 1
    listed = client.get("/api/intake/imports", headers=headers).json()
    assert [item["id"] for item in listed] == [job_id]
    audit = db_session.scalars(
        select(AuditLog).where(AuditLog.object_type == "import_job", AuditLog.object_id == str(job_id))
    ).all()
    assert {entry.action for entry in audit} == {"intake_upload", "intake_import"}
    assert all(entry.detail["sha256"] == job["file_sha256"] for entry in audit)
    result = next(entry for entry in audit if entry.action == "intake_import")
    assert result.detail["status"] == "done" and result.actor_user_id is not None


def test_an_export_with_errors_fails_with_row_errors_as_json(
    client: TestClient, login: Callable[..., Headers], db_session: Session
) -> None:
    headers = login(Role.supervisor)
    data = csv_bytes([row(), row(当事人="李四", 证件号码="", 联系电话="1.38001E+10")], encoding="utf-8-sig")
    response = client.post(
        "/api/intake/imports", headers=headers, files={"file": ("e.csv", data, "text/csv")}
    )
    job = wait_for_job(client, headers, response.json()["id"])
    assert job["status"] == "failed"
    assert [(e["row"], e["column"], e["value"]) for e in job["errors"]] == [(3, "联系电话", "1.38001E+10")]
    assert "科学计数法" in job["errors"][0]["message"]
    assert job["summary"]["error_count"] == 1


def test_dry_run_upload_writes_nothing(
    client: TestClient, login: Callable[..., Headers], db_session: Session
) -> None:
    headers = login(Role.admin)
    files = {"file": ("e.csv", csv_bytes(two_party_rows()), "text/csv")}
    response = client.post("/api/intake/imports", headers=headers, files=files, data={"dry_run": "true"})
    job = wait_for_job(client, headers, response.json()["id"])
    assert job["status"] == "done" and job["dry_run"] is True and job["summary"]["cases_created"] == 2
    stored = db_session.get(ImportJob, job["id"])
    assert stored is not None and stored.dry_run


@pytest.mark.parametrize("role", [Role.agent, Role.field_officer])
def test_staff_other_than_admin_supervisor_and_clerk_may_not_import(
    client: TestClient, login: Callable[..., Headers], role: Role
) -> None:
    headers = login(role)
    files = {"file": ("e.csv", csv_bytes([row()]), "text/csv")}
    assert client.post("/api/intake/imports", headers=headers, files=files).status_code == 403
    assert client.get("/api/intake/imports", headers=headers).status_code == 403
    assert client.get("/api/intake/imports/1", headers=headers).status_code == 403


def test_uploads_that_cannot_be_imports_are_refused(
    client: TestClient, login: Callable[..., Headers]
) -> None:
    headers = login(Role.supervisor)
    assert client.post("/api/intake/imports", files={"file": ("e.csv", b"x", "text/csv")}).status_code == 401
    pdf = {"file": ("e.pdf", b"%PDF", "application/pdf")}
    assert client.post("/api/intake/imports", headers=headers, files=pdf).status_code == 400
    not_zip = {
        "file": ("e.csv", csv_bytes([row()]), "text/csv"),
        "documents": ("d.zip", b"nope", "application/zip"),
    }
    assert client.post("/api/intake/imports", headers=headers, files=not_zip).status_code == 400
    csv_file = {"file": ("e.csv", csv_bytes([row()]), "text/csv")}
    response = client.post(
        "/api/intake/imports", headers=headers, files=csv_file, data={"court_code": "Beijing"}
    )
    assert response.status_code == 400 and "法院代码" in response.json()["detail"]
    assert client.get("/api/intake/imports/999999", headers=headers).status_code == 404


def test_clerks_import_only_into_their_court_and_see_only_their_courts_jobs(
    client: TestClient, clerk: Headers, login: Callable[..., Headers], db_session: Session
) -> None:
    csv_file = {"file": ("export.csv", csv_bytes(two_party_rows()), "text/csv")}
    refused = client.post("/api/intake/imports", headers=clerk, files=csv_file, data={"court_code": "京0105"})
    assert refused.status_code == 403 and "本院" in refused.json()["detail"]
    no_court = client.post("/api/intake/imports", headers=login(Role.clerk), files=csv_file)
    assert no_court.status_code == 403

    own = client.post("/api/intake/imports", headers=clerk, files=csv_file).json()["id"]
    other_court = _court(db_session, "京0105", "北京市朝阳区人民法院")
    other_clerk = login(Role.clerk, court_id=other_court)
    assert client.get(f"/api/intake/imports/{own}", headers=other_clerk).status_code == 404
    assert [job["id"] for job in client.get("/api/intake/imports", headers=other_clerk).json()] == []
    assert [job["id"] for job in client.get("/api/intake/imports", headers=clerk).json()] == [own]
    wait_for_job(client, clerk, own)
