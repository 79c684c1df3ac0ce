"""Latency from a published call event to its arrival in N connected websocket clients.

Starts one API process (uvicorn) on a private SQLite database with the Redis event bus, opens N
lightweight websocket clients (one asyncio task each, all subscribed to the `calls` topic as a supervisor),
publishes call events on the bus at a steady rate, and reports p50/p90/p99/max over every (event, client)
arrival. Each event starts a new call, so the hub also looks its call record up as it would in production.

    .venv/bin/python benchmarks/desk_latency.py --clients 200 --events 200 --interval 0.01
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.01, help="seconds between two published events")
    parser.add_argument(
        "--bus-url", default=os.environ.get("SONGDA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    )
    return parser.parse_args()


def _prepare_database(data_dir: Path) -> tuple[str, str]:
    """A fresh SQLite database with one supervisor; returns its URL and the supervisor's token."""
    os.environ["SONGDA_DATA_DIR"] = str(data_dir)
    url = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    import backend.models  # noqa: F401
    from backend import database
    from backend.auth import service as auth_service
    from backend.auth.roles import Role

    engine = database.configure(url)
    database.Base.metadata.create_all(engine)
    with database.get_session() as session:
        user = auth_service.create_user(
            db_session=session,
            username="bench-supervisor",
            full_name="压测主管",
            role=Role.supervisor,
            password="x" * 12,
        )
        token, _ = auth_service.issue_token(db_session=session, user=user)
    engine.dispose()
    return url, token


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_server(data_dir: Path, database_url: str, bus_url: str) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {
        **os.environ,
        "SONGDA_DATA_DIR": str(data_dir),
        "SONGDA_DATABASE_URL": database_url,
        "SONGDA_EVENT_BUS_URL": bus_url,
    }
    command = [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory", "--host", "127.0.0.1"]
    process = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"], cwd=REPO_ROOT, env=env
    )
    return process, port


async def _wait_healthy(port: int) -> None:
    import httpx

    deadline = time.monotonic() + 30
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/api/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("the API process did not start")


class Receiver:
    """One websocket client: records when each call's first event arrived."""

    def __init__(self, sent: dict[str, float], latencies: list[float]) -> None:
        self.sent, self.latencies = sent, latencies
        self.seen: set[str] = set()

    async def run(self, url: str, ready: asyncio.Event, expected: int, done: asyncio.Event) -> None:
        import websockets

        async with websockets.connect(url, max_queue=None) as ws:
            while json.loads(await ws.recv())["type"] != "snapshot":
                pass
            ready.set()
            while len(self.seen) < expected and not done.is_set():
                try:
                    message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
                except TimeoutError:
                    continue
                self._arrived(message, time.perf_counter())

    def _arrived(self, message: dict[str, Any], now: float) -> None:
        call_id = message.get("data", {}).get("call_id")
        if message.get("type") == "event" and call_id in self.sent and call_id not in self.seen:
            self.seen.add(call_id)
            self.latencies.append(now - self.sent[call_id])


async def _measure(options: argparse.Namespace, port: int, token: str) -> tuple[list[float], int]:
    from telephony.bus import bus_from_url
    from telephony.events import CallOriginated

    sent: dict[str, float] = {}
    latencies: list[float] = []
    url = f"ws://127.0.0.1:{port}/ws?token={token}&topics=calls"
    receivers = [Receiver(sent, latencies) for _ in range(options.clients)]
    readies = [asyncio.Event() for _ in receivers]
    done = asyncio.Event()
    tasks = [
        asyncio.create_task(receiver.run(url, ready, options.events, done))
        for receiver, ready in zip(receivers, readies, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 60)
    bus = bus_from_url(options.bus_url)
    await bus.connect()
    for _ in range(options.events):
        call_id = uuid.uuid4().hex
        event = CallOriginated(
            call_id=call_id, at=datetime.now(UTC), agent_endpoint="1001", number="13800138000"
        )
        sent[call_id] = time.perf_counter()
        await bus.publish([event])
        await asyncio.sleep(options.interval)
    await asyncio.wait(tasks, timeout=10)
    done.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    await bus.disconnect()
    return latencies, options.clients * options.events


def _report(latencies: list[float], expected: int, options: argparse.Namespace) -> None:
    if not latencies:
        raise SystemExit("no event arrived")
    ordered = sorted(latencies)

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000

    print(
        f"clients={options.clients} events={options.events} interval={options.interval}s "
        f"bus={options.bus_url}"
    )
    print(f"arrivals={len(latencies)}/{expected} mean={statistics.fmean(latencies) * 1000:.2f} ms")
    print(
        f"p50={percentile(50):.2f} ms p90={percentile(90):.2f} ms p99={percentile(99):.2f} ms "
        f"max={ordered[-1] * 1000:.2f} ms"
    )


def main() -> None:
    options = _options()
    with tempfile.TemporaryDirectory(prefix="songda-desk-bench-") as tmp:
        data_dir = Path(tmp)
        database_url, token = _prepare_database(data_dir)
        process, port = _start_server(data_dir, database_url, options.bus_url)
        try:
            asyncio.run(_wait_healthy(port))
            latencies, expected = asyncio.run(_measure(options, port, token))
        finally:
            process.terminate()
            process.wait(timeout=10)
    _report(latencies, expected, options)


if __name__ == "__main__":
    main()
