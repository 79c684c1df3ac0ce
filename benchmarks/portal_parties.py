"""Parties using the portal at once: each logs in with an SMS code, lists their documents, views both
(the PDF fetched, its pages reported) and signs the 送达回证.

    .venv/bin/python benchmarks/portal_parties.py [--parties 300] [--workers 2] [--warmup 10]
        [--ramp-seconds 10] [--think-seconds 2] [--think-spread 0]
        [--url postgresql+psycopg://postgres@127.0.0.1:5432/test]   (default: a private SQLite file)

The parties are made as tests/portal/world.py makes them (a case, a mobile on file, two PDF documents,
consent on a recorded call, the electronic attempt begun with its notice in the outbox), in a private data
dir and a private PostgreSQL schema (dropped afterwards) or SQLite file. One API server (uvicorn with
--workers processes, the memory task queue in each: the notices' sending and the proofs are made in the
same processes, as in the embedded default) serves them on loopback, after --warmup parties that are not
measured; the parties are asyncio
clients with their own cookie jars, all released at once, each started RAMP_SECONDS / parties after the
one before and pausing THINK_SECONDS between steps (with --think-spread, each pause drawn evenly around
that mean, as people read and tap at their own speed); the most parties online at once (between their
first request and their signature) is printed. Every party comes from 127.0.0.1, so the
per-client code limit is raised for the run. The code is read from the outbox, as the party's phone
shows it. Timed per request: code sent, login, the document list, each document's file, each page report,
the signature (which serves the attempt); printed as p50/p90/p99/max per step, and the whole session's
duration. The target is p99 < 300 ms per step. It prints figures and asserts nothing, with the CPU time
the API processes, this client and the whole machine spent during the run: a machine near its cores x
wall seconds is saturated (the figures then measure the queue for the CPU), and CPU spent by neither the
API nor the client was someone else's. Then it waits for every signed attempt's proof and prints how long
after the run the last was made and the API's CPU per party, proofs included.
"""

import argparse
import asyncio
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

SIGNATURE_PNG = (  # a 2x1 transparent PNG: the strokes carry the signature here
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAYAAAD0In+KAAAAC0lEQVR42mNgQAcAAA4AAe1tO8sAAAAASUVORK5CYII="
)
STROKES = [{"points": [{"x": 10 + 8 * i, "y": 40 + (-1) ** i * 12, "time": i * 16} for i in range(24)]}]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_cpu(pids: list[int]) -> float:
    """User plus system CPU seconds of PIDS (those still running)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds the machine spent busy and in all, since boot."""
    counters = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = counters[3] + counters[4]  # idle, iowait
    total = sum(counters[:8])  # guest time is already counted in user
    return (total - idle) / os.sysconf("SC_CLK_TCK"), total / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuUse:
    server: float
    client: float
    machine_busy: float
    machine_total: float

    @classmethod
    def now(cls, server_pids: list[int]) -> "CpuUse":
        busy, total = machine_cpu()
        return cls(process_cpu(server_pids), sum(os.times()[:2]), busy, total)

    def __sub__(self, before: "CpuUse") -> "CpuUse":
        return CpuUse(
            self.server - before.server,
            self.client - before.client,
            self.machine_busy - before.machine_busy,
            self.machine_total - before.machine_total,
        )


def proofs_made(attempt_ids: list[int]) -> int:
    from sqlalchemy import func, select

    from backend import database
    from backend.proofs.models import ProofOfService

    with database.get_session() as session:
        query = select(func.count()).where(ProofOfService.attempt_id.in_(attempt_ids))
        return int(session.scalar(query) or 0)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def database_url(url: str | None, data_dir: Path) -> Iterator[str]:
    if not url:
        yield f"sqlite:///{data_dir / 'songda.db'}"
        return
    from router_pass import private_schema  # beside this script

    with private_schema(url, "bench_portal", keep=False) as schema:
        print(f"PostgreSQL {schema.server_version}, jit {schema.jit}, schema {schema.name}")
        yield schema.url


def make_parties(count: int) -> list[Any]:
    """COUNT parties with their notices sent (their send facts recorded), made in this process."""
    from sqlalchemy import func, select

    from backend import database
    from backend.auth import service as auth_service
    from backend.auth.roles import Role
    from backend.database import Base
    from backend.deliveries.models import AttemptFact
    from tests.polling import poll_until
    from tests.portal.world import portal_party

    Base.metadata.create_all(database.get_engine())
    with database.get_session() as session:
        agent = auth_service.create_user(
            db_session=session,
            username="bench-agent",
            password="bench-password-1",
            role=Role.agent,
            full_name="测试",
        )
    started = time.perf_counter()
    parties = []
    for number in range(1, count + 1):
        with database.get_session() as session:
            parties.append(portal_party(session, session.merge(agent), number=number, name=f"当事人{number}"))

    def sent() -> bool:
        with database.get_session() as session:
            query = select(func.count()).select_from(AttemptFact).where(AttemptFact.key == "sent_at")
            return bool(session.scalar(query) == count)

    poll_until(sent, timeout=120, what="every notice sent")
    print(f"made {count} parties with their notices sent in {time.perf_counter() - started:.1f} s")
    return parties


def code_for(mobile: str) -> str:
    from sqlalchemy import select

    from backend import database
    from backend.messaging.models import SmsOutbox

    with database.get_session() as session:
        text = session.scalars(
            select(SmsOutbox.text)
            .where(SmsOutbox.to_number == mobile, SmsOutbox.purpose == "portal_login_code")
            .order_by(SmsOutbox.id.desc())
        ).first()
    assert text is not None
    found = re.search(r"验证码为(\d{6})", text)
    assert found is not None
    return found.group(1)


@dataclass(frozen=True)
class Pace:
    ramp_seconds: float  # the parties start evenly over this time (0: all at once)
    think_seconds: float  # between one party's steps, as a person reads and taps: the mean
    think_spread: float = 0.0  # each pause drawn evenly from mean x (1 - spread) .. mean x (1 + spread)

    def pause(self, draw: random.Random) -> float:
        return self.think_seconds * (1 + self.think_spread * (2 * draw.random() - 1))


@dataclass
class Online:
    """How many parties are between their first request and their signature at once (and the most)."""

    now: int = 0
    peak: int = 0

    def enter(self) -> None:
        self.now += 1
        self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        self.now -= 1


async def one_party(
    base: str,
    party: Any,
    start: asyncio.Event,
    times: dict[str, list[float]],
    delay: float,
    pace: Pace,
    online: Online,
) -> float:
    draw = random.Random(party.attempt_id)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await start.wait()
        await asyncio.sleep(delay)
        began = time.perf_counter()
        online.enter()
        try:
            return await _party_steps(client, party, times, pace, draw, began)
        finally:
            online.leave()


async def _party_steps(
    client: httpx.AsyncClient,
    party: Any,
    times: dict[str, list[float]],
    pace: Pace,
    draw: random.Random,
    began: float,
) -> float:
    async def timed(step: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if step != "code sent":
            await asyncio.sleep(pace.pause(draw))
        t0 = time.perf_counter()
        response = await client.request(method, path, **kwargs)
        times[step].append((time.perf_counter() - t0) * 1000)
        if response.status_code >= 400:
            raise RuntimeError(f"{step}: {response.status_code} {response.text[:200]}")
        return response

    link = {"link_token": party.link_token, "choice": 0}
    await timed("code sent", "POST", "/api/portal/codes", json=link)
    code = await asyncio.to_thread(code_for, party.mobile)
    await timed("login", "POST", "/api/portal/login", json={**link, "code": code})
    listing = (await timed("document list", "GET", "/api/portal/me")).json()
    [delivery] = listing["deliveries"]
    base_path = f"/api/portal/deliveries/{delivery['id']}"
    for document in delivery["documents"]:
        file = await timed("document file", "GET", f"{base_path}/documents/{document['id']}/file")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", file.content)) or 1
        for page in range(1, pages + 1):
            body = {"pages": list(range(1, page + 1)), "page_count": pages}
            await timed("page report", "POST", f"{base_path}/documents/{document['id']}/pages", json=body)
    await timed(
        "signature", "POST", f"{base_path}/sign", json={"strokes": STROKES, "png_data_url": SIGNATURE_PNG}
    )
    return (time.perf_counter() - began) * 1000


async def run_parties(
    base: str, parties: list[Any], pace: Pace
) -> tuple[dict[str, list[float]], list[float], float]:
    times: dict[str, list[float]] = defaultdict(list)
    start = asyncio.Event()
    step = pace.ramp_seconds / len(parties)
    online = Online()
    tasks = [
        asyncio.create_task(one_party(base, party, start, times, index * step, pace, online))
        for index, party in enumerate(parties)
    ]
    await asyncio.sleep(0.5)  # every client ready
    began = time.perf_counter()
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    wall = time.perf_counter() - began
    failures = [result for result in results if isinstance(result, BaseException)]
    for failure in failures[:5]:
        print("failed:", failure)
    sessions = [result for result in results if isinstance(result, float)]
    print(
        f"{len(sessions)} of {len(parties)} parties got through in {wall:.1f} s ({len(failures)} failed);"
        f" at most {online.peak} of them online at once (between their first request and their signature)"
    )
    return times, sessions, wall


@contextmanager
def api_server(env: dict[str, str], workers: int) -> Iterator[tuple[str, list[int]]]:
    """The API's base URL and its processes (uvicorn's supervisor and workers)."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--log-level", "warning", "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        from tests.polling import poll_until

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/api/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        poll_until(healthy, timeout=60, what="the API server started", interval=0.2)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        yield base, [process.pid, *map(int, children)]
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parties", type=int, default=300)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10, help="parties run first, not measured")
    parser.add_argument("--ramp-seconds", type=float, default=10.0, help="start the parties over this time")
    parser.add_argument("--think-seconds", type=float, default=2.0, help="a party's pause between steps")
    parser.add_argument(
        "--think-spread", type=float, default=0.0, help="pauses drawn from mean x (1 +- spread), e.g. 0.5"
    )
    parser.add_argument("--url", default="", help="PostgreSQL base URL (default: SQLite in the data dir)")
    parser.add_argument(
        "--queue", default="memory://", help="the API's task queue: memory:// runs sending and proofs in it"
    )
    args = parser.parse_args()
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-portal-")))
        url = stack.enter_context(database_url(args.url, data_dir))
        env = {
            **os.environ,
            "SONGDA_DATA_DIR": str(data_dir),
            "SONGDA_DATABASE_URL": url,
            "SONGDA_TASK_QUEUE_URL": args.queue,
            "SONGDA_EVENT_BUS_URL": "memory://",
            "SONGDA_IN_PROCESS_SCHEDULER": "false",
            "SONGDA_TRANSCRIBE_AFTER_CALL": "false",
            "SONGDA_PORTAL_CODES_PER_IP_HOUR": str(args.parties * 2),
        }
        os.environ.update({key: value for key, value in env.items() if key.startswith("SONGDA_")})
        os.environ["SONGDA_TASK_QUEUE_URL"] = "memory://"  # the notices are sent here, before the run
        import backend.wiring  # noqa: F401  (after the settings above)

        parties = make_parties(args.parties + args.warmup)
        base, server_pids = stack.enter_context(api_server(env, args.workers))
        pace = Pace(args.ramp_seconds, args.think_seconds, args.think_spread)
        if args.warmup:  # each worker's first requests import and prepare what later ones reuse
            asyncio.run(run_parties(base, parties[args.parties :], Pace(0, 0)))
        before = CpuUse.now(server_pids)
        times, sessions, wall = asyncio.run(run_parties(base, parties[: args.parties], pace))
        cpu = CpuUse.now(server_pids) - before
        run_ended = time.perf_counter()
        from tests.polling import poll_until

        measured = [party.attempt_id for party in parties[: args.parties]]
        poll_until(lambda: proofs_made(measured) == len(sessions), timeout=600, what="every proof made")
        backlog = time.perf_counter() - run_ended
        whole = CpuUse.now(server_pids) - before
        database_kind = "PostgreSQL" if args.url else "SQLite"
        requests = sum(len(values) for values in times.values())
        print(
            f"\n{args.parties} parties, started over {pace.ramp_seconds:g} s, {pace.think_seconds:g} s"
            f" (+-{pace.think_spread:.0%}) between steps;"
            f" {requests} requests in {wall:.1f} s ({requests / wall:.0f}/s);"
            f" {args.workers} API workers, {database_kind}, task queue {args.queue} (ms):"
        )
        print(f"{'step':<16}{'n':>6}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}")
        for step, values in [*times.items(), ("whole session", sessions)]:
            if values:
                shares = "".join(f"{percentile(values, share):>9.0f}" for share in (0.5, 0.9, 0.99))
                print(f"{step:<16}{len(values):>6}{shares}{max(values):>9.0f}")
        print(
            f"CPU during the run: API {cpu.server:.1f} s, this client {cpu.client:.1f} s; the machine busy"
            f" {cpu.machine_busy:.1f} s of {cpu.machine_total:.1f} s ({os.cpu_count()} cores x {wall:.1f} s)"
        )
        print(
            f"every proof made {backlog:.1f} s after the run; the API's CPU with them: {whole.server:.1f} s,"
            f" {whole.server / max(len(sessions), 1) * 1000:.0f} ms a party"
        )


if __name__ == "__main__":
    main()
