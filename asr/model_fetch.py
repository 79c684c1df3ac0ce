"""Download the Vosk model archive, verify its SHA-256 while streaming, and install it all or nothing.

Everything is staged in a temporary directory beside the target (same file system), so the final
step is one rename: a failed or refused download leaves the target exactly as it was.
"""

import hashlib
import os
import tempfile
import zipfile
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import httpx

DOWNLOAD_CHUNK_BYTES = 1 << 16
MODEL_MARKER = PurePosixPath("am/final.mdl")


class ModelFetchError(RuntimeError):
    """The model could not be fetched or installed; the target directory is unchanged."""


class ChecksumMismatch(ModelFetchError):
    pass


class SizeMismatch(ModelFetchError):
    pass


class ModelAlreadyInstalled(ModelFetchError):
    pass


@dataclass(frozen=True, slots=True)
class ModelArchive:
    """Where the zip lives and what it must hash to (size in bytes when known)."""

    url: str
    sha256: str
    size: int | None = None


def fetch_model(
    *, archive: ModelArchive, target_dir: Path, replace: bool = False, client: httpx.Client | None = None
) -> Path:
    """Download, verify and unpack `archive` so that `target_dir` becomes the model directory."""
    target_dir = target_dir.resolve()
    if target_dir.exists() and not replace:
        raise ModelAlreadyInstalled(f"模型目录已存在：{target_dir}（使用 --force 替换）")
    target_dir.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{target_dir.name}.", dir=target_dir.parent) as work:
        work_dir = Path(work)
        zip_path = work_dir / "model.zip"
        download_verified(archive=archive, destination=zip_path, client=client)
        model_root = unpack_model(zip_path=zip_path, destination=work_dir / "unpacked")
        _install(model_root, target_dir, work_dir=work_dir)
    return target_dir


def download_verified(
    *, archive: ModelArchive, destination: Path, client: httpx.Client | None = None
) -> None:
    """Stream the archive to `destination`, hashing as it arrives; raise on a size or hash mismatch."""
    try:
        actual = _stream_to_file(archive=archive, destination=destination, client=client)
    except httpx.HTTPError as exc:
        raise ModelFetchError(f"下载失败：{archive.url}：{exc}") from exc
    if actual != archive.sha256.lower():
        raise ChecksumMismatch(f"SHA-256 校验失败：预期 {archive.sha256.lower()}，实际 {actual}")


def _stream_to_file(*, archive: ModelArchive, destination: Path, client: httpx.Client | None) -> str:
    digest = hashlib.sha256()
    received = 0
    http_client: AbstractContextManager[httpx.Client] = (
        nullcontext(client) if client else httpx.Client(follow_redirects=True, timeout=httpx.Timeout(30.0))
    )
    with http_client as http, http.stream("GET", archive.url) as response:
        _check_response(response, archive)
        with destination.open("wb") as out:
            for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
                received += len(chunk)
                if archive.size is not None and received > archive.size:
                    raise SizeMismatch(f"下载超过预期大小 {archive.size} 字节：{archive.url}")
                digest.update(chunk)
                out.write(chunk)
    if archive.size is not None and received != archive.size:
        raise SizeMismatch(f"下载大小 {received} 字节，预期 {archive.size} 字节：{archive.url}")
    return digest.hexdigest()


def _check_response(response: httpx.Response, archive: ModelArchive) -> None:
    if response.status_code != httpx.codes.OK:
        raise ModelFetchError(f"下载失败：HTTP {response.status_code} {archive.url}")
    announced = response.headers.get("content-length")
    if archive.size is not None and announced is not None and int(announced) != archive.size:
        raise SizeMismatch(f"服务器声明大小 {announced} 字节，预期 {archive.size} 字节：{archive.url}")


def unpack_model(*, zip_path: Path, destination: Path) -> Path:
    """Extract the zip (refusing unsafe member paths) and return the directory holding the model."""
    with zipfile.ZipFile(zip_path) as bundle:
        names = [PurePosixPath(name) for name in bundle.namelist()]
        if any(name.is_absolute() or ".." in name.parts for name in names):
            raise ModelFetchError("压缩包含有不安全的路径")
        bundle.extractall(destination)
    return _model_root(destination, names)


def _model_root(destination: Path, names: list[PurePosixPath]) -> Path:
    if MODEL_MARKER in names:
        return destination
    tops = {name.parts[0] for name in names if name.parts}
    if len(tops) == 1 and PurePosixPath(*tops, MODEL_MARKER) in names:
        return destination / tops.pop()
    raise ModelFetchError(f"压缩包中没有 Vosk 模型（缺少 {MODEL_MARKER}）")


def _install(model_root: Path, target_dir: Path, *, work_dir: Path) -> None:
    if not target_dir.exists():
        os.rename(model_root, target_dir)
        return
    previous = work_dir / "previous"
    os.rename(target_dir, previous)  # removed with the work directory
    try:
        os.rename(model_root, target_dir)
    except OSError:
        os.rename(previous, target_dir)
        raise
