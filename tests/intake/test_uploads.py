"""Uploads are bounded: a body over its limit is refused before it is stored, a documents zip may not
unpack past its limits, each file must be what its name says, and refused uploads leave nothing behind."""

import io
import os
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.intake.models import ImportJob
from backend.intake.uploads import purge_stale_uploads
from tests.intake.exports import CASE_1, csv_bytes, two_party_rows
from tests.intake.test_api import clerk  # noqa: F401  (the fixture)

Headers = dict[str, str]


@pytest.fixture()
def small_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    settings = get_settings()
    for name, value in (
        ("upload_max_export_mb", 1),
        ("upload_max_documents_mb", 1),
        ("upload_max_unzipped_mb", 8),
        ("upload_max_zip_entries", 20),
    ):
        monkeypatch.setattr(settings, name, value)
    yield


def _imports_dir() -> Path:
    return get_settings().data_dir / "imports"


def _stored_uploads() -> list[Path]:
    return sorted(_imports_dir().glob("*")) if _imports_dir().is_dir() else []


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _upload(
    client: TestClient, headers: Headers, export: bytes, documents: bytes | None = None
) -> tuple[int, str]:
    files = {"file": ("export.csv", export, "text/csv")}
    if documents is not None:
        files["documents"] = ("文书.zip", documents, "application/zip")
    response = client.post("/api/intake/imports", files=files, headers=headers)
    return response.status_code, str(response.json().get("detail", ""))


@pytest.mark.usefixtures("small_limits")
def test_a_body_over_the_limit_is_refused_with_413_and_nothing_is_stored(
    client: TestClient,
    clerk: Headers,  # noqa: F811
) -> None:
    before = _stored_uploads()
    status, detail = _upload(client, clerk, csv_bytes(two_party_rows()), os.urandom(4 << 20))
    assert (status, detail) == (413, "上传的文件过大：上限 3 MB")
    assert _stored_uploads() == before


@pytest.mark.usefixtures("small_limits")
@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            {f"{CASE_1}/传票.pdf": b"\x00" * (20 << 20)},
            "解压后过大：上限 8 MB",
        ),  # 20 MiB of zeros, a few KB zipped
        ({f"{CASE_1}/证据{n}.pdf": b"%PDF-1.7" for n in range(21)}, "文件过多：上限 20 个"),
        ({f"{CASE_1}/传票.pdf": b"MZ\x90\x00 not a pdf"}, f"「{CASE_1}/传票.pdf」的内容与扩展名 .pdf 不符"),
    ],
)
def test_a_documents_zip_past_its_limits_or_lying_about_a_file_is_refused(
    client: TestClient,
    clerk: Headers,  # noqa: F811
    entries: dict[str, bytes],
    message: str,
) -> None:
    before = _stored_uploads()
    status, detail = _upload(client, clerk, csv_bytes(two_party_rows()), _zip(entries))
    assert status == 400 and message in detail, detail
    assert _stored_uploads() == before


def test_a_sheet_that_is_not_text_is_refused(client: TestClient, clerk: Headers) -> None:  # noqa: F811
    status, detail = _upload(client, clerk, b"\x7fELF\x02\x01\x01\x00" + bytes(200))
    assert status == 400 and "不是文本格式" in detail


def test_failed_and_dry_run_uploads_are_removed_after_their_retention(
    db_session: Session, make_user: Callable[..., object]
) -> None:
    now = datetime.now(UTC)
    old = now - timedelta(days=get_settings().upload_retention_days + 1)
    folders = {
        name: _imports_dir() / name for name in ("failed-old", "dry-old", "done-old", "failed-new", "orphan")
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "export.csv").write_bytes(b"x")
    os.utime(folders["orphan"], (old.timestamp(), old.timestamp()))
    jobs = [
        ("failed-old", "failed", False, old),
        ("dry-old", "done", True, old),
        ("done-old", "done", False, old),
        ("failed-new", "failed", False, now),
    ]
    for name, status, dry_run, created in jobs:
        db_session.add(
            ImportJob(
                filename="export.csv", file_sha256="0" * 64, status=status, dry_run=dry_run,
                created_at=created, source_path=str(folders[name] / "export.csv"),
            )
        )  # fmt: skip
    db_session.commit()
    removed = purge_stale_uploads(db_session=db_session, imports_dir=_imports_dir(), now=now)
    db_session.commit()
    assert removed == 3
    assert sorted(path.name for path in _stored_uploads() if path.name in folders) == [
        "done-old",
        "failed-new",
    ]
