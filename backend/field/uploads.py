"""Resumable uploads from the officer's phone: a photo or video taken without signal is sent in chunks once
back online. The phone declares the file (purpose, name, size, the SHA-256 it computed at capture); each
chunk names its offset, so a dropped connection resumes from the last byte received and a chunk sent twice
is kept once. When every byte is in, the file is hashed again: a mismatch is refused (the officer is told
to send it again), a match is filed as evidence like any other visit media."""

import hashlib
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.auth.models import User
from backend.config import get_settings
from backend.core.errors import InvalidRequest, NotVisible, RuleViolation
from backend.field import flows
from backend.field import media as field_media
from backend.field.models import FieldAssignment, FieldUpload

RECEIVING, STORED, REFUSED = "receiving", "stored", "refused"
READ_BLOCK = 1 << 20
ABANDONED_AFTER = timedelta(days=7)
ABANDONED = "超过 7 天未传完，已清除，请重新上传"


def part_path(upload: FieldUpload) -> Path:
    """Where the bytes received so far wait (only the first received_bytes of it count)."""
    return get_settings().data_dir / "field_uploads" / f"{upload.id}-{upload.sha256[:16]}.part"


def begin_upload(
    *,
    db_session: Session,
    officer: User,
    assignment: FieldAssignment,
    purpose: field_media.MediaPurpose,
    filename: str,
    size_bytes: int,
    sha256: str,
    captured_at: datetime | None,
    now: datetime,
) -> FieldUpload:
    """Declare a file, or find the one already declared (same visit, purpose and hash) to resume it; a
    refused one starts again from its first byte."""
    sha256 = sha256.strip().lower()
    query = select(FieldUpload).where(
        FieldUpload.assignment_id == assignment.id,
        FieldUpload.purpose == purpose.value,
        FieldUpload.sha256 == sha256,
    )
    upload = db_session.scalars(query).first()
    if upload is not None and upload.state != REFUSED:
        return upload
    flows.require_open_visit(assignment)
    field_media.check_declared(purpose=purpose, filename=filename, size_bytes=size_bytes)
    if upload is None:
        upload = FieldUpload(
            assignment_id=assignment.id,
            officer_user_id=officer.id,
            purpose=purpose.value,
            sha256=sha256,
            created_at=now,
        )
        db_session.add(upload)
    upload.filename, upload.size_bytes, upload.captured_at = filename, size_bytes, captured_at
    upload.received_bytes, upload.state, upload.refusal, upload.updated_at = 0, RECEIVING, None, now
    db_session.flush()
    return upload


def own_upload(*, db_session: Session, officer: User, upload_id: int, lock: bool = False) -> FieldUpload:
    """The officer's own upload (another's does not exist for them); LOCK holds it for a chunk."""
    query = select(FieldUpload).where(FieldUpload.id == upload_id)
    upload = db_session.scalars(query.with_for_update() if lock else query).first()
    if upload is None or upload.officer_user_id != officer.id:
        raise NotVisible("上传")
    return upload


def receive_chunk(
    *, db_session: Session, officer: User, upload: FieldUpload, offset: int, data: bytes, now: datetime
) -> FieldUpload:
    """Append the bytes of DATA (starting at OFFSET) that were not received yet; the last one finishes."""
    if upload.state == STORED:
        return upload  # every byte was in already: a retry of the last chunk
    if upload.state == REFUSED:
        raise RuleViolation(f"该文件已被拒收：{upload.refusal}")
    if offset > upload.received_bytes:
        raise RuleViolation(f"须从第 {upload.received_bytes} 字节续传")
    fresh = data[upload.received_bytes - offset :]
    if upload.received_bytes + len(fresh) > upload.size_bytes:
        raise InvalidRequest("上传的内容超出了声明的文件大小")
    if fresh:
        _append(part_path(upload), upload.received_bytes, fresh)
        upload.received_bytes += len(fresh)
        upload.updated_at = now
    if upload.received_bytes == upload.size_bytes:
        _finish(db_session, officer, upload, now)
    return upload


def _append(path: Path, at: int, data: bytes) -> None:
    """Write DATA at byte AT, dropping anything past it (bytes of a chunk whose transaction was lost)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("r+b" if path.exists() else "w+b") as part:
        part.truncate(at)
        part.seek(at)
        part.write(data)


def _sha256(path: Path, size: int) -> tuple[str, bytes]:
    digest, head = hashlib.sha256(), b""
    with path.open("rb") as part:
        remaining = size
        while remaining > 0:
            block = part.read(min(READ_BLOCK, remaining))
            if not block:
                break
            head = head or block[:16]
            digest.update(block)
            remaining -= len(block)
    return digest.hexdigest(), head


def _finish(db_session: Session, officer: User, upload: FieldUpload, now: datetime) -> None:
    path = part_path(upload)
    purpose = field_media.MediaPurpose(upload.purpose)
    actual, head = _sha256(path, upload.size_bytes)
    try:
        if actual != upload.sha256:
            raise InvalidRequest(field_media.HASH_MISMATCH)
        field_media.check_received(purpose=purpose, filename=upload.filename, head=head)
    except InvalidRequest as refused:
        upload.state, upload.refusal = REFUSED, str(refused)
        path.unlink(missing_ok=True)
        return
    with path.open("r+b") as part:
        part.truncate(upload.size_bytes)
    evidence = flows.keep_media(
        db_session=db_session,
        officer=officer,
        assignment=db_session.get_one(FieldAssignment, upload.assignment_id),
        purpose=purpose,
        filename=upload.filename,
        content_type=field_media.CONTENT_TYPES[Path(upload.filename).suffix.lower()],
        source_path=path,
        captured_at=upload.captured_at,
        now=now,
    )
    upload.state, upload.evidence_id = STORED, evidence.id
    path.unlink(missing_ok=True)


def purge_abandoned_uploads(*, db_session: Session, now: datetime) -> int:
    """Drop the bytes of uploads left unfinished for ABANDONED_AFTER (the phone was lost or reset); a phone
    that comes back declares the file again and sends it from its first byte. Returns how many went."""
    query = select(FieldUpload).where(
        FieldUpload.state == RECEIVING, FieldUpload.updated_at < now - ABANDONED_AFTER
    )
    abandoned = list(db_session.scalars(query))
    for upload in abandoned:
        part_path(upload).unlink(missing_ok=True)
        upload.state, upload.refusal, upload.updated_at = REFUSED, ABANDONED, now
    db_session.flush()
    return len(abandoned)
