"""No token in the server's logs: the masking filter on its own, then a real `songda serve` whose access
log and websocket lines are read after requests that put tokens in their URLs."""

import json
import logging
import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from uvicorn.logging import AccessFormatter
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from backend.auth.models import User
from backend.auth.roles import Role
from backend.core.token_masking import LOGGERS, TokenMasking, install_token_masking, mask_tokens
from tests.conftest import REPO_ROOT, TEST_PASSWORD
from tests.desk.live import auth_message
from tests.desk.servers import free_port
from tests.desk.world import new_extension
from tests.polling import poll_until

TOKEN = "sQ0v2J1m7Zb3xHkT9wYcR4uLpN6eA8dF_-gVhKiOjQs"  # as secrets.token_urlsafe(32) makes them
CHAIN_HASH = "9f2c" * 16  # a proof's chain-head hash (the `h` of its QR code)


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        ("/ws?token=short", "/ws?token=***"),
        (f"/ws?batch=1&access_token={TOKEN}&topics=me", "/ws?batch=1&access_token=***&topics=me"),
        (f"/api/x?Token={TOKEN}", "/api/x?Token=***"),
        (f"/api/files/{TOKEN}/view", "/api/files/***/view"),
        (f"/api/cases?q={TOKEN}&page=2", "/api/cases?q=***&page=2"),
        (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer ***"),
        *(
            (kept, kept)
            for kept in (
                f"/api/proofs/7/verify?h={CHAIN_HASH}&format=html",
                "/api/transcripts/search?q=%E7%8E%8B%E7%A3%8A&limit=20",
                "/api/desk/pickup-slots?date=2026-03-02",
            )
        ),
    ],
)  # fmt: skip
def test_token_looking_parts_are_masked_and_the_rest_kept(logged: str, kept: str) -> None:
    assert mask_tokens(logged) == kept


def test_an_access_record_keeps_its_shape_for_uvicorns_formatter() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:50312", "GET", f"/api/health?token={TOKEN}", "1.1", 200), None,
    )  # fmt: skip
    assert TokenMasking().filter(record)
    line = AccessFormatter("%(client_addr)s - %(request_line)s %(status_code)s", use_colors=False).format(
        record
    )
    assert line == "127.0.0.1:50312 - GET /api/health?token=*** HTTP/1.1 200 OK"


def test_the_filter_is_installed_once_on_uvicorns_loggers() -> None:
    install_token_masking()
    install_token_masking()
    for name in LOGGERS:
        assert sum(isinstance(f, TokenMasking) for f in logging.getLogger(name).filters) == 1


@pytest.fixture()
def served(database_url: str, db: Engine, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`songda serve` as production starts it (its own logging), on a free port: (base URL, its log)."""
    port, log_path = free_port(), tmp_path / "serve.log"
    env = {**os.environ, "SONGDA_DATABASE_URL": database_url}
    songda = str(Path(sys.executable).parent / "songda")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [songda, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        poll_until(lambda: _healthy(base_url, process), timeout=30, what="songda serve did not start")
        yield base_url, log_path
    finally:
        process.terminate()
        process.wait(timeout=15)


def _healthy(base_url: str, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"songda serve exited with {process.returncode}"
    try:
        return httpx.get(f"{base_url}/api/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _log_with(log_path: Path, line: str) -> str | None:
    text = log_path.read_text()
    return text if line in text else None


def test_a_real_server_logs_no_token_and_its_desk_socket_logs_in_with_the_first_message(
    served: tuple[str, Path], make_user: Callable[..., User]
) -> None:
    base_url, log_path = served
    ws_url = base_url.replace("http", "ws", 1) + "/ws"
    in_query, in_path, in_socket_url = (secrets.token_urlsafe(32) for _ in range(3))
    assert httpx.get(f"{base_url}/api/health", params={"token": in_query}).status_code == 200
    assert httpx.get(f"{base_url}/api/documents/{in_path}").status_code == 404
    assert httpx.get(f"{base_url}/api/proofs/1/verify", params={"h": CHAIN_HASH}).status_code == 404
    with connect(f"{ws_url}?token={in_socket_url}") as refused, pytest.raises(ConnectionClosed) as closed:
        refused.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401

    agent = make_user(Role.agent, sip_extension=new_extension())
    login = {"username": agent.username, "password": TEST_PASSWORD}
    token = httpx.post(f"{base_url}/api/auth/login", json=login).json()["token"]
    with connect(ws_url) as desk:
        desk.send(auth_message(token, "me"))
        hello = json.loads(desk.recv(timeout=10))
        assert hello["type"] == "hello" and hello["data"]["user"]["username"] == agent.username

    logged = '"WebSocket /ws" [accepted]'  # the last socket: what came before it is in the log too
    log = poll_until(lambda: _log_with(log_path, logged), timeout=10, what="the desk socket was not logged")
    assert '"GET /api/health?token=*** HTTP/1.1" 200' in log  # the access log is on, and masks
    assert '"WebSocket /ws?token=***" [accepted]' in log  # uvicorn logs websockets to its error log
    assert f"/api/proofs/1/verify?h={CHAIN_HASH}" in log  # the public proof hash is kept
    for secret in (in_query, in_path, in_socket_url, token):
        assert secret not in log
