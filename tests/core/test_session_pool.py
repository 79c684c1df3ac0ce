"""A burst of requests larger than the connection pool is served, not stalled: a request holding a
connection never waits for a worker thread while every worker thread waits for a connection."""

import asyncio
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from sqlalchemy.orm import sessionmaker

from backend import database
from backend.auth.roles import Role
from backend.config import get_settings
from tests.polling import poll_until

BURST = 120  # three times anyio's 40 worker threads, sixty times the pool below


@contextmanager
def served_api() -> Iterator[str]:
    """The real API on a loopback port, served by uvicorn in a thread of this process."""
    from backend.app import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(create_app(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        poll_until(lambda: server.started, timeout=30, what="the API server started", interval=0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def burst(base: str, headers: dict[str, str]) -> list[int | str]:
    limits = httpx.Limits(max_connections=BURST)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=120, limits=limits) as client:
        requests = (client.get("/api/auth/me") for _ in range(BURST))
        answers = await asyncio.gather(*requests, return_exceptions=True)
    return [answer.status_code if isinstance(answer, httpx.Response) else repr(answer) for answer in answers]


def test_a_burst_beyond_the_pool_gets_every_answer_without_a_pool_timeout(
    login: Callable[..., dict[str, str]], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two connections, a short checkout timeout, 120 requests at once on the session dependency: were
    the requests holding both connections waiting for a thread to validate their answers while all 40
    threads waited for a connection, the checkouts would time out (500) after 3 s."""
    headers = login(Role.clerk)
    settings = get_settings()
    for name, value in (("db_pool_size", 2), ("db_max_overflow", 0), ("db_pool_timeout_seconds", 3.0)):
        monkeypatch.setattr(settings, name, value)
    small = database.build_engine(database_url, pool_size=2, max_overflow=0, pool_timeout=3.0)
    monkeypatch.setattr(database, "_engine", small)
    monkeypatch.setattr(database, "_session_factory", sessionmaker(bind=small, expire_on_commit=False))
    try:
        with served_api() as base:
            answers = asyncio.run(burst(base, headers))
    finally:
        small.dispose()

    assert answers == [200] * BURST
