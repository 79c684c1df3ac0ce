"""Limits and checks on what a clerk uploads: sizes per kind, what a documents zip may hold once
unpacked, that each file is what its name says, and how long failed or dry-run uploads are kept."""

import shutil
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from backend.config import get_settings
from backend.core.errors import InvalidRequest
from backend.intake.models import ImportJob

MB = 1 << 20
IMPORT_PATH = "/api/intake/imports"
FORM_OVERHEAD = MB  # field names, boundaries, the small form fields
# The first bytes each kind of file starts with; a file whose name claims a kind must carry its mark.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".tif": (b"II*\x00", b"MM\x00*"),
    ".tiff": (b"II*\x00", b"MM\x00*"),
    ".docx": (b"PK\x03\x04",),
    ".ofd": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".wps": (b"\xd0\xcf\x11\xe0",),
}


def request_limit(path: str) -> int | None:
    """The largest request body PATH accepts (None: the server's default)."""
    if path.rstrip("/") != IMPORT_PATH:
        return None
    settings = get_settings()
    return (settings.upload_max_export_mb + settings.upload_max_documents_mb) * MB + FORM_OVERHEAD


def _starts_with_signature(head: bytes, suffix: str) -> bool:
    return any(head.startswith(mark) for mark in SIGNATURES.get(suffix, (b"",)))


def check_export(path: Path) -> None:
    """The sheet: within its size, and really a workbook (xlsx) or text (csv)."""
    if path.stat().st_size > get_settings().upload_max_export_mb * MB:
        raise InvalidRequest(f"案件表过大：上限 {get_settings().upload_max_export_mb} MB")
    with path.open("rb") as stream:
        head = stream.read(64 * 1024)
    suffix = path.suffix.lower()
    if (
        suffix == ".csv"
        and b"\x00" in head.replace(b"\x00\x00", b"")
        and not head.startswith((b"\xff\xfe", b"\xfe\xff"))
    ):
        raise InvalidRequest("案件表不是文本格式的CSV文件")
    if suffix != ".csv" and not _starts_with_signature(head, suffix):
        raise InvalidRequest("案件表不是有效的XLSX文件")


def check_documents_zip(path: Path) -> None:
    """The documents zip: a zip, within its size, entry count and unpacked size; each file what it claims."""
    settings = get_settings()
    if path.stat().st_size > settings.upload_max_documents_mb * MB:
        raise InvalidRequest(f"文书压缩包过大：上限 {settings.upload_max_documents_mb} MB")
    if not zipfile.is_zipfile(path):
        raise InvalidRequest("文书文件须为zip压缩包")
    with zipfile.ZipFile(path) as archive:
        files = [info for info in archive.infolist() if not info.is_dir()]
        if len(files) > settings.upload_max_zip_entries:
            raise InvalidRequest(f"文书压缩包内文件过多：上限 {settings.upload_max_zip_entries} 个")
        if sum(info.file_size for info in files) > settings.upload_max_unzipped_mb * MB:
            raise InvalidRequest(f"文书压缩包解压后过大：上限 {settings.upload_max_unzipped_mb} MB")
        for info in files:
            _check_member(archive, info)


def _check_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    suffix = Path(info.filename).suffix.lower()
    if suffix not in SIGNATURES:
        return
    with archive.open(info) as member:
        head = member.read(16)
    if not _starts_with_signature(head, suffix):
        raise InvalidRequest(f"压缩包内文件「{info.filename}」的内容与扩展名 {suffix} 不符")


def purge_stale_uploads(*, db_session: Session, imports_dir: Path, now: datetime) -> int:
    """Remove the uploads of failed and dry-run imports older than the retention, and upload folders no
    import job refers to; returns how many folders went."""
    before = now - timedelta(days=get_settings().upload_retention_days)
    stale = select(ImportJob).where(
        or_(ImportJob.status == "failed", ImportJob.dry_run.is_(True)),
        ImportJob.created_at < before,
        ImportJob.source_path.is_not(None),
    )
    removed = 0
    for job in db_session.scalars(stale):
        removed += _remove_folder(Path(job.source_path or "").parent, imports_dir)
        job.source_path = job.documents_path = None
    referenced = {Path(path).parent for path in db_session.scalars(select(ImportJob.source_path)) if path}
    for folder in imports_dir.glob("*") if imports_dir.is_dir() else ():
        if folder not in referenced and datetime.fromtimestamp(folder.stat().st_mtime, now.tzinfo) < before:
            removed += _remove_folder(folder, imports_dir)
    return removed


def _remove_folder(folder: Path, imports_dir: Path) -> int:
    if folder.parent != imports_dir or not folder.is_dir():
        return 0
    shutil.rmtree(folder, ignore_errors=True)
    return 1
