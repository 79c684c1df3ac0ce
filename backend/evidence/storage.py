"""Content-addressed, write-once file store for evidence: one read-only file per sha256."""

import hashlib
import io
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from backend.config import get_settings

CHUNK_SIZE = 1024 * 1024
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Where a stored file lives (relative to the evidence dir), its sha256 and size."""

    relative_path: str
    sha256: str
    size_bytes: int


def evidence_root() -> Path:
    return get_settings().evidence_dir


def relative_path_for(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def absolute_path(relative_path: str) -> Path:
    """The absolute path of a stored file; refuses paths that leave the evidence dir."""
    root = evidence_root().resolve()
    path = (root / relative_path).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"证据路径越界: {relative_path}")
    return path


def hash_file(path: Path) -> tuple[str, int]:
    """The sha256 and size of the file at PATH."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(CHUNK_SIZE):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    target.flush()
    os.fsync(target.fileno())
    return digest.hexdigest(), size


def _settle(temp_path: Path, sha256: str, size: int) -> StoredFile:
    """Move a finished temp file to its content address, keeping any file already there."""
    relative = relative_path_for(sha256)
    final = absolute_path(relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(temp_path, READ_ONLY)
    try:
        os.link(temp_path, final)  # fails if the address is taken: write-once
    except FileExistsError:
        pass
    finally:
        temp_path.unlink()
    return StoredFile(relative_path=relative, sha256=sha256, size_bytes=size)


def put_stream(source: IO[bytes]) -> StoredFile:
    """Copy SOURCE into the store under its sha256 and make it read-only."""
    incoming = evidence_root() / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=incoming, delete=False) as target:
        temp_path = Path(target.name)
        try:
            sha256, size = _copy_hashing(source, target)
        except BaseException:
            temp_path.unlink(missing_ok=True)
            raise
    return _settle(temp_path, sha256, size)


def put_file(source_path: Path) -> StoredFile:
    with source_path.open("rb") as source:
        return put_stream(source)


def put_bytes(content: bytes) -> StoredFile:
    return put_stream(io.BytesIO(content))
