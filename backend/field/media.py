"""What an officer's phone may upload: each kind within its size, really what its name says (the first
bytes carry the format's mark, as the court export's uploads are checked), and unchanged in transit (the
SHA-256 the phone computed when it captured the file)."""

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import PurePath

from backend.config import get_settings
from backend.core.errors import InvalidRequest
from backend.evidence.enums import EvidenceKind

MB = 1 << 20
MEDIA_PATH_PREFIX = "/api/field/tasks/"
UPLOAD_PATH_PREFIX = "/api/field/uploads/"
MAX_CHUNK_BYTES = 4 * MB
FORM_OVERHEAD = MB


class MediaPurpose(StrEnum):
    photo = "photo"  # the hand-over (现场照片)
    video = "video"
    signature = "signature"  # the recipient's signature (PNG from the screen)
    refusal_photo = "refusal_photo"  # 留置送达: the documents left
    refusal_video = "refusal_video"
    witness_signature = "witness_signature"


@dataclass(frozen=True, slots=True)
class MediaKind:
    evidence_kind: EvidenceKind
    label: str
    suffixes: tuple[str, ...]


_PHOTO = (".jpg", ".jpeg", ".png")
_VIDEO = (".mp4", ".mov", ".webm")
MEDIA_KINDS = {
    MediaPurpose.photo: MediaKind(EvidenceKind.photo, "现场照片", _PHOTO),
    MediaPurpose.video: MediaKind(EvidenceKind.video, "现场视频", _VIDEO),
    MediaPurpose.signature: MediaKind(EvidenceKind.signature, "签收人签名", (".png",)),
    MediaPurpose.refusal_photo: MediaKind(EvidenceKind.photo, "留置送达照片", _PHOTO),
    MediaPurpose.refusal_video: MediaKind(EvidenceKind.video, "留置送达视频", _VIDEO),
    MediaPurpose.witness_signature: MediaKind(EvidenceKind.signature, "见证人签名", (".png",)),
}
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
}


def _has_mark(head: bytes, suffix: str) -> bool:
    if suffix in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if suffix == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if suffix in (".mp4", ".mov"):
        return head[4:8] == b"ftyp"
    if suffix == ".webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    return False


def limit_mb(purpose: MediaPurpose) -> int:
    settings = get_settings()
    video = MEDIA_KINDS[purpose].evidence_kind is EvidenceKind.video
    return settings.field_max_video_mb if video else settings.field_max_photo_mb


def request_limit(path: str) -> int | None:
    """The largest body an upload of field media may send (None for other paths): a whole file to
    /media, one chunk to /uploads/{id}/chunk."""
    if path.startswith(MEDIA_PATH_PREFIX) and path.rstrip("/").endswith("/media"):
        return get_settings().field_max_video_mb * MB + FORM_OVERHEAD
    if path.startswith(UPLOAD_PATH_PREFIX) and path.rstrip("/").endswith("/chunk"):
        return MAX_CHUNK_BYTES
    return None


def check_declared(*, purpose: MediaPurpose, filename: str, size_bytes: int) -> str:
    """Refuse, before any byte is sent, a file of the wrong kind or size; returns its content type."""
    kind = MEDIA_KINDS[purpose]
    suffix = PurePath(filename or "").suffix.lower()
    if suffix not in kind.suffixes:
        raise InvalidRequest(f"{kind.label}须为 {'/'.join(kind.suffixes)} 文件")
    if size_bytes <= 0:
        raise InvalidRequest("上传的文件是空的")
    if size_bytes > limit_mb(purpose) * MB:
        raise InvalidRequest(f"{kind.label}过大：上限 {limit_mb(purpose)} MB")
    return CONTENT_TYPES[suffix]


def check_received(*, purpose: MediaPurpose, filename: str, head: bytes) -> None:
    """Refuse a file whose first bytes are not what its name says."""
    suffix = PurePath(filename or "").suffix.lower()
    if not _has_mark(head[:16], suffix):
        label = MEDIA_KINDS[purpose].label
        raise InvalidRequest(f"文件「{filename}」的内容与扩展名 {suffix} 不符，不是有效的{label}")


HASH_MISMATCH = "文件在传输中已改变：与手机拍摄时计算的 SHA-256 不符，已拒收，请重新上传"


def check_media(*, purpose: MediaPurpose, filename: str, content: bytes, claimed_sha256: str | None) -> str:
    """Refuse a file that is too large, not what its name says, or changed since the phone hashed it;
    returns its content type."""
    content_type = check_declared(purpose=purpose, filename=filename, size_bytes=len(content))
    check_received(purpose=purpose, filename=filename, head=content[:16])
    if claimed_sha256 and hashlib.sha256(content).hexdigest() != claimed_sha256.strip().lower():
        raise InvalidRequest(HASH_MISMATCH)
    return content_type
