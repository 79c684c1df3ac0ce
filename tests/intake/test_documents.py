"""Document files beside the sheet, from a folder or a zip, matched by case number and name."""

import hashlib
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.documents.models import Document
from backend.intake.documents import FolderSource, identify, match_documents
from tests.intake.exports import CASE_1, CASE_2, run_import, two_party_rows, write_csv

pytestmark = pytest.mark.usefixtures("db")

FILES = {
    f"{CASE_1}/传票.pdf": b"%PDF summons case 1",
    f"{CASE_1}/起诉状副本.docx": b"complaint case 1",
    "（2026）京0102民初101号_应诉通知书.pdf": b"%PDF notice case 1",
    f"{CASE_2}-传票.PDF": b"%PDF summons case 2",
    "说明.txt": b"not a document",
}


class GbkZipInfo(zipfile.ZipInfo):
    """A member name written as Windows zip tools do: GBK bytes without the UTF-8 flag."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def _folder(root: Path) -> Path:
    for name, content in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return root


def _zip(path: Path, *, gbk_names: bool) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in FILES.items():
            info = GbkZipInfo(name) if gbk_names else zipfile.ZipInfo(name)
            archive.writestr(info, content)
    return path


def _assert_documents_stored(db_session: Session) -> None:
    documents = {(d.case.case_number, d.name): d for d in db_session.scalars(select(Document))}
    assert len(documents) == 4
    for (case_number, name), content in [
        ((CASE_1, "传票"), FILES[f"{CASE_1}/传票.pdf"]),
        ((CASE_1, "起诉状副本"), FILES[f"{CASE_1}/起诉状副本.docx"]),
        ((CASE_1, "应诉通知书"), FILES["（2026）京0102民初101号_应诉通知书.pdf"]),
        ((CASE_2, "传票"), FILES[f"{CASE_2}-传票.PDF"]),
    ]:
        document = documents[(case_number, name)]
        assert document.sha256 == hashlib.sha256(content).hexdigest()
        assert document.size_bytes == len(content)
        assert document.file_path is not None and document.sha256 in document.file_path
        assert (get_settings().documents_dir / document.file_path).read_bytes() == content
    assert documents[(CASE_1, "传票")].content_type == "application/pdf"
    assert str(documents[(CASE_1, "起诉状副本")].content_type).endswith("wordprocessingml.document")


def test_documents_matched_from_a_folder(tmp_path: Path, db_session: Session) -> None:
    folder = _folder(tmp_path / "docs")
    job = run_import(write_csv(tmp_path / "export.csv", two_party_rows()), documents_path=folder)
    assert job.status == "done", job.errors
    assert job.summary["files_attached"] == 4
    _assert_documents_stored(db_session)
    assert any(w["value"] == "说明.txt" for w in job.warnings)


@pytest.mark.parametrize("gbk_names", [False, True])
def test_documents_matched_from_a_zip(tmp_path: Path, db_session: Session, gbk_names: bool) -> None:
    archive = _zip(tmp_path / "docs.zip", gbk_names=gbk_names)
    job = run_import(write_csv(tmp_path / "export.csv", two_party_rows()), documents_path=archive)
    assert job.status == "done", job.errors
    _assert_documents_stored(db_session)


def test_a_document_without_a_file_is_created_and_warned_about_with_its_row(
    tmp_path: Path, db_session: Session
) -> None:
    folder = tmp_path / "docs"
    (folder / CASE_1).mkdir(parents=True)
    (folder / CASE_1 / "传票.pdf").write_bytes(b"%PDF")
    rows = two_party_rows()
    job = run_import(write_csv(tmp_path / "export.csv", rows), documents_path=folder)
    assert job.status == "done"
    missing = {(w["row"], w["value"]) for w in job.warnings if "未找到对应文件" in w["message"]}
    assert missing == {(2, "起诉状副本"), (3, "应诉通知书"), (4, "传票")}
    bare = db_session.scalars(select(Document).where(Document.name == "应诉通知书")).one()
    assert (bare.file_path, bare.sha256) == (None, None)


def test_a_later_import_attaches_a_file_but_never_replaces_one(tmp_path: Path, db_session: Session) -> None:
    export = write_csv(tmp_path / "export.csv", two_party_rows())
    run_import(export)
    first = _folder(tmp_path / "docs")
    job = run_import(export, documents_path=first)
    assert (job.summary["documents_updated"], job.summary["documents_created"]) == (4, 0)
    (first / CASE_1 / "传票.pdf").write_bytes(b"%PDF another version")
    job = run_import(export, documents_path=first)
    assert job.summary["documents_updated"] == 0
    assert any("保留原文件" in w["message"] for w in job.warnings)
    summons = db_session.scalars(select(Document).where(Document.name == "传票")).first()
    assert summons is not None and summons.sha256 == hashlib.sha256(FILES[f"{CASE_1}/传票.pdf"]).hexdigest()


def test_dry_run_copies_no_file(tmp_path: Path) -> None:
    before = set(get_settings().documents_dir.rglob("*"))
    job = run_import(
        write_csv(tmp_path / "e.csv", two_party_rows()), documents_path=_folder(tmp_path / "d"), dry_run=True
    )
    assert job.status == "done" and job.summary["files_attached"] == 4
    assert set(get_settings().documents_dir.rglob("*")) == before


def test_file_naming_conventions() -> None:
    in_folder, prefixed = identify("(2026)京0102民初1号/传票.pdf"), identify("2026京0102民初1号_传票.pdf")
    assert in_folder is not None and prefixed is not None
    assert (
        (in_folder.case_number, in_folder.stem)
        == (prefixed.case_number, prefixed.stem)
        == ("(2026)京0102民初1号", "传票")
    )
    found = identify("导出/（2026）京0102民初1号/证据/（2026）京0102民初1号-证据 目录.PDF")
    assert found is not None and (found.case_number, found.stem, found.suffix) == (
        "(2026)京0102民初1号",
        "证据目录",
        ".pdf",
    )
    assert identify("传票.pdf") is None
    assert identify("__MACOSX/(2026)京0102民初1号/._传票.pdf") is None


def test_several_files_for_one_document_prefer_pdf(tmp_path: Path) -> None:
    folder = tmp_path / "docs" / CASE_1
    folder.mkdir(parents=True)
    for name in ("传票.docx", "传票.pdf", "传票.jpg"):
        (folder / name).write_bytes(name.encode())
    matches = match_documents(FolderSource(tmp_path / "docs"), {(CASE_1, "传票"): 2})
    assert matches.files[(CASE_1, "传票")].path.endswith("传票.pdf")
    assert any("有3个文件" in w.message for w in matches.warnings)
