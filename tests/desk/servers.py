"""Real API processes for the multi-process tests: uvicorn on a free loopback port, stopped afterwards."""

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.polling import poll_until

REPO_ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# A server starts in a few seconds; on a 2-core CI machine running both database suites at once it once took
# more than 30 s, so the wait is long (it ends as soon as the server answers).
START_TIMEOUT = 90.0
PIDS: dict[str, int] = {}  # base URL -> process id of the servers running now (for /proc readings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def api_process(
    *, database_url: str, bus_url: str = REDIS_URL, port: int | None = None, **settings: str
) -> Iterator[str]:
    """`with api_process(database_url=...) as base_url:` one uvicorn worker serving the app (on PORT, if
    the caller needs to know it beforehand, e.g. for SONGDA_PUBLIC_BASE_URL)."""
    port = port or free_port()
    env = {**os.environ, "SONGDA_DATABASE_URL": database_url, "SONGDA_EVENT_BUS_URL": bus_url, **settings}
    command = [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--log-level", "warning"], cwd=REPO_ROOT, env=env
    )
    base_url = f"http://127.0.0.1:{port}"
    PIDS[base_url] = process.pid
    try:
        _wait_healthy(process, base_url)
        yield base_url
    finally:
        PIDS.pop(base_url, None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_healthy(process: subprocess.Popen[bytes], base_url: str) -> None:
    def healthy() -> bool:
        assert process.poll() is None, f"the API process exited with {process.returncode}"
        try:
            return httpx.get(f"{base_url}/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    poll_until(healthy, timeout=START_TIMEOUT, what=f"{base_url} did not start", interval=0.1)
