"""A 200 MB upload against a real API process is refused early, and the server's memory barely moves."""

import socket
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from backend.auth.models import User
from backend.auth.roles import Role
from tests.conftest import TEST_PASSWORD
from tests.desk.servers import PIDS, api_process

TWO_HUNDRED_MB = 200 << 20
CHUNK = b"x" * (1 << 20)
PART_HEAD = b'--songda\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
LIMITS = {"SONGDA_UPLOAD_MAX_EXPORT_MB": "10", "SONGDA_UPLOAD_MAX_DOCUMENTS_MB": "10"}


def _rss_bytes(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def _token(base_url: str, user: User) -> str:
    import httpx

    response = httpx.post(
        f"{base_url}/api/auth/login", json={"username": user.username, "password": TEST_PASSWORD}
    )
    return str(response.json()["token"])


def _head(base_url: str, token: str, framing: str) -> bytes:
    host = base_url.removeprefix("http://")
    return (
        f"POST /api/intake/imports HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary=songda\r\n{framing}\r\n\r\n"
    ).encode()


def _send_and_read(base_url: str, head: bytes, body_chunks: int, chunked: bool) -> bytes:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=60) as conn:
        conn.sendall(head)
        try:
            if body_chunks:
                conn.sendall(b"%x\r\n%s\r\n" % (len(PART_HEAD), PART_HEAD) if chunked else PART_HEAD)
            for _ in range(body_chunks):
                conn.sendall(b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK) if chunked else CHUNK)
        except OSError:
            pass  # the server answered and closed while the body was still coming: that is the point
        return conn.recv(4096)


def test_a_200_mb_upload_is_refused_early_with_little_memory(
    engine: Engine, db: Engine, make_user: Callable[..., User]
) -> None:
    clerk = make_user(Role.admin)
    with api_process(database_url=engine.url.render_as_string(hide_password=False), **LIMITS) as base_url:
        pid = PIDS[base_url]
        token = _token(base_url, clerk)
        before = _rss_bytes(pid)

        declared = _send_and_read(
            base_url, _head(base_url, token, f"Content-Length: {TWO_HUNDRED_MB}"), 0, False
        )
        assert declared.startswith(b"HTTP/1.1 413"), declared[:200]

        streamed = _send_and_read(
            base_url, _head(base_url, token, "Transfer-Encoding: chunked"), TWO_HUNDRED_MB // len(CHUNK), True
        )
        assert streamed.startswith(b"HTTP/1.1 413"), streamed[:200]
        assert "上传的文件过大".encode() in streamed

        growth = _rss_bytes(pid) - before
        assert growth < 50 << 20, f"the server grew by {growth >> 20} MB"
