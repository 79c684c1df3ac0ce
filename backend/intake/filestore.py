"""Content-addressed copies of document files: documents/ab/cd/<sha256><ext>."""

import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".ofd": "application/ofd",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".wps": "application/vnd.ms-works",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
_CHUNK = 1 << 20


@dataclass(slots=True, frozen=True)
class StoredFile:
    relative_path: str  # relative to Settings.documents_dir
    sha256: str
    size_bytes: int
    content_type: str


def content_type_for(suffix: str) -> str:
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type("x" + suffix)[0] or "application/octet-stream"


def store(stream: IO[bytes], *, suffix: str, documents_dir: Path, copy: bool = True) -> StoredFile:
    """Hash STREAM and, when COPY, keep it under its sha256 (an identical file is stored once)."""
    if not copy:
        sha256, size = _hash(stream, None)
        return StoredFile(_relative_path(sha256, suffix), sha256, size, content_type_for(suffix))
    documents_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=documents_dir, prefix=".incoming-", delete=False) as temp:
        try:
            sha256, size = _hash(stream, temp)
        except BaseException:
            os.unlink(temp.name)
            raise
    relative = _relative_path(sha256, suffix)
    target = documents_dir / relative
    if target.exists():
        os.unlink(temp.name)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp.name, target)
    return StoredFile(relative, sha256, size, content_type_for(suffix))


def _hash(stream: IO[bytes], copy_to: IO[bytes] | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return digest.hexdigest(), size


def _relative_path(sha256: str, suffix: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}{suffix}"
