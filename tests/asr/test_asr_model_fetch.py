"""`songda asr fetch-model` against a real HTTP server on 127.0.0.1 serving zips built here."""

import hashlib
import io
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asr.cli import asr_app
from asr.model_fetch import (
    ChecksumMismatch,
    ModelAlreadyInstalled,
    ModelArchive,
    ModelFetchError,
    SizeMismatch,
    fetch_model,
)
from backend.config import Settings, get_settings

MODEL_FILES = {"am/final.mdl": b"acoustic model", "conf/model.conf": b"--beam=12.0\n", "README": b"test"}


def build_zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, content in files.items():
            bundle.writestr(name, content)
    return buffer.getvalue()


def in_folder(folder: str, files: dict[str, bytes]) -> dict[str, bytes]:
    return {f"{folder}/{name}": content for name, content in files.items()}


class ArchiveServer:
    """Serves `files[path]` over HTTP/1.0 on a random loopback port; unknown paths get 404.

    Paths in `unannounced` are sent without Content-Length (the body ends when the connection closes).
    """

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.unannounced: set[str] = set()
        files, unannounced = self.files, self.unannounced

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = files.get(self.path)
                self.send_response(200 if body is not None else 404)
                if self.path not in unannounced:
                    self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, format: str, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    def publish(self, path: str, body: bytes) -> ModelArchive:
        self.files[path] = body
        url = f"http://127.0.0.1:{self.server.server_port}{path}"
        return ModelArchive(url=url, sha256=hashlib.sha256(body).hexdigest(), size=len(body))


@pytest.fixture()
def server() -> Iterator[ArchiveServer]:
    archive_server = ArchiveServer()
    archive_server.thread.start()
    yield archive_server
    archive_server.server.shutdown()
    archive_server.server.server_close()
    archive_server.thread.join()


@pytest.fixture()
def models_dir(tmp_path: Path) -> Path:
    return tmp_path / "models"


def test_official_archive_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SONGDA_VOSK_MODEL_URL", "SONGDA_VOSK_MODEL_SHA256", "SONGDA_VOSK_MODEL_SIZE"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.vosk_model_url == "https://alphacephei.com/vosk/models/vosk-model-small-cn-0.22.zip"
    assert settings.vosk_model_sha256 == "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
    assert settings.vosk_model_size == 43_898_754


def test_verified_archive_is_unpacked_into_the_target(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/vosk-model-test.zip", build_zip(in_folder("vosk-model-test", MODEL_FILES)))
    installed = fetch_model(archive=archive, target_dir=models_dir / "cn")
    assert installed == (models_dir / "cn").resolve()
    assert {str(p.relative_to(installed)) for p in installed.rglob("*") if p.is_file()} == set(MODEL_FILES)
    assert (installed / "am" / "final.mdl").read_bytes() == b"acoustic model"
    assert [p.name for p in models_dir.iterdir()] == ["cn"]


def test_archive_without_top_folder_is_accepted(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/flat.zip", build_zip(MODEL_FILES))
    installed = fetch_model(archive=archive, target_dir=models_dir / "cn")
    assert (installed / "conf" / "model.conf").read_bytes() == b"--beam=12.0\n"


def test_checksum_mismatch_is_refused_and_leaves_nothing(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/model.zip", build_zip(MODEL_FILES))
    tampered = ModelArchive(url=archive.url, sha256="0" * 64, size=archive.size)
    with pytest.raises(ChecksumMismatch, match="SHA-256 校验失败"):
        fetch_model(archive=tampered, target_dir=models_dir / "cn")
    assert list(models_dir.iterdir()) == []


def test_checksum_mismatch_keeps_the_installed_model(server: ArchiveServer, models_dir: Path) -> None:
    good = server.publish("/good.zip", build_zip(MODEL_FILES))
    fetch_model(archive=good, target_dir=models_dir / "cn")
    newer = server.publish("/newer.zip", build_zip({**MODEL_FILES, "am/final.mdl": b"other"}))
    with pytest.raises(ChecksumMismatch):
        stale_hash = ModelArchive(newer.url, good.sha256, newer.size)
        fetch_model(archive=stale_hash, target_dir=models_dir / "cn", replace=True)
    assert (models_dir / "cn" / "am" / "final.mdl").read_bytes() == b"acoustic model"
    assert [p.name for p in models_dir.iterdir()] == ["cn"]


def test_replace_swaps_in_the_new_model(server: ArchiveServer, models_dir: Path) -> None:
    fetch_model(archive=server.publish("/old.zip", build_zip(MODEL_FILES)), target_dir=models_dir / "cn")
    newer = server.publish("/new.zip", build_zip({**MODEL_FILES, "am/final.mdl": b"retrained"}))
    fetch_model(archive=newer, target_dir=models_dir / "cn", replace=True)
    assert (models_dir / "cn" / "am" / "final.mdl").read_bytes() == b"retrained"
    assert [p.name for p in models_dir.iterdir()] == ["cn"]


def test_installed_model_is_not_replaced_without_asking(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/model.zip", build_zip(MODEL_FILES))
    fetch_model(archive=archive, target_dir=models_dir / "cn")
    with pytest.raises(ModelAlreadyInstalled, match="--force"):
        fetch_model(archive=archive, target_dir=models_dir / "cn")


def test_size_mismatch_is_refused(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/model.zip", build_zip(MODEL_FILES))
    assert archive.size is not None
    announced_wrong = ModelArchive(archive.url, archive.sha256, archive.size - 1)
    with pytest.raises(SizeMismatch, match="服务器声明大小"):
        fetch_model(archive=announced_wrong, target_dir=models_dir / "cn")
    assert list(models_dir.iterdir()) == []


@pytest.mark.parametrize(("size_error", "message"), [(-1, "下载超过预期大小"), (+1, "预期")])
def test_size_is_checked_while_streaming_when_the_server_gives_no_length(
    server: ArchiveServer, models_dir: Path, size_error: int, message: str
) -> None:
    archive = server.publish("/model.zip", build_zip(MODEL_FILES))
    server.unannounced.add("/model.zip")
    assert archive.size is not None
    wrong_size = ModelArchive(archive.url, archive.sha256, archive.size + size_error)
    with pytest.raises(SizeMismatch, match=message):
        fetch_model(archive=wrong_size, target_dir=models_dir / "cn")
    assert list(models_dir.iterdir()) == []


def test_zip_without_a_model_is_refused(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/notes.zip", build_zip({"notes/readme.txt": b"no model here"}))
    with pytest.raises(ModelFetchError, match="没有 Vosk 模型"):
        fetch_model(archive=archive, target_dir=models_dir / "cn")
    assert list(models_dir.iterdir()) == []


def test_zip_escaping_its_folder_is_refused(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/evil.zip", build_zip({**MODEL_FILES, "../escaped.txt": b"x"}))
    with pytest.raises(ModelFetchError, match="不安全"):
        fetch_model(archive=archive, target_dir=models_dir / "cn")
    assert list(models_dir.parent.rglob("escaped.txt")) == []
    assert list(models_dir.iterdir()) == []


def test_http_error_is_reported(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/model.zip", b"")
    missing = ModelArchive(url=archive.url.replace("model.zip", "absent.zip"), sha256=archive.sha256)
    with pytest.raises(ModelFetchError, match="HTTP 404"):
        fetch_model(archive=missing, target_dir=models_dir / "cn")
    assert list(models_dir.iterdir()) == []


def test_unreachable_server_is_reported(models_dir: Path) -> None:
    archive = ModelArchive(url="http://127.0.0.1:9/model.zip", sha256="0" * 64)
    with pytest.raises(ModelFetchError, match="下载失败"):
        fetch_model(archive=archive, target_dir=models_dir / "cn")


def test_cli_fetches_and_verifies(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/cli.zip", build_zip(in_folder("vosk-model-test", MODEL_FILES)))
    target = models_dir / "cn"
    arguments = ["fetch-model", "--url", archive.url, "--sha256", archive.sha256, "--target", str(target)]
    result = CliRunner().invoke(asr_app(get_settings), arguments)
    assert result.exit_code == 0, result.output
    assert "模型已安装" in result.output
    assert (target / "am" / "final.mdl").is_file()


def test_cli_refuses_a_mismatching_archive(server: ArchiveServer, models_dir: Path) -> None:
    archive = server.publish("/cli.zip", build_zip(MODEL_FILES))
    target = models_dir / "cn"
    arguments = ["fetch-model", "--url", archive.url, "--sha256", "f" * 64, "--target", str(target)]
    result = CliRunner().invoke(asr_app(get_settings), arguments)
    assert result.exit_code == 1
    assert "SHA-256 校验失败" in result.output
    assert not (models_dir / "cn").exists()


def test_cli_requires_a_hash_with_a_custom_url(models_dir: Path) -> None:
    result = CliRunner().invoke(asr_app(get_settings), ["fetch-model", "--url", "http://127.0.0.1:9/x.zip"])
    assert result.exit_code == 2
    assert "--sha256" in result.output
