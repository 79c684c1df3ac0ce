"""Latency from an AMI event to the update in the desk clients watching the live calls.

    .venv/bin/python benchmarks/desk_latency.py --calls 50 --clients 199 --ramp-seconds 25  (50 live)
    .venv/bin/python benchmarks/desk_latency.py --calls 50 --clients 199   (50 calls in the same instant)
    .venv/bin/python benchmarks/desk_latency.py --calls 5 --clients 20      (a quick try)

One API process (`songda serve`) owns AMI as in production: call control on, the simulated-party route, a
private SQLite data dir and the Redis event bus. The agents are pyVoIP softphones on extensions 1013-1030
(a separate process) answering every call; the calls are placed through the call-control API (POST
/api/calls) as their agents, after --warmup-calls that are not measured (the server's first calls after
start are not its steady state: its first full garbage collection, for one). By default all at once, and
every party plays a Mandarin clip and hangs up; with --ramp-seconds they start evenly over that time to a
party that stays on the line, are all live together for --hold-seconds (as the bus tells), and are then
hung up by the supervisor (POST /api/calls/{id}/hangup) over the same time. Watching the `calls` topic as
a supervisor, logged in as the wall logs in (asking for batches): N light websocket clients in a process of
their own (desk_listener.py: a frame is stamped with the kernel's receive time of its last byte, and with
when that process read it; decoded after the run), and one headless Chromium on /wall that records when
each call event reached the page, when the call's wall row changed, and the next frame.

Latency = when the update reached the client (for the light clients, the kernel's receive time; their read
time is reported too) - the `at` of the call event behind it: for AMI events the `Timestamp:` header of
the AMI event (manager.conf `timestampevents = yes`; one machine, one clock). Which update each event
causes is found by replaying the event bus, in its order, through the hub's own LiveCallBoard; a client's
n-th update of a call must then match the n-th replayed one (checked field by field). CallOriginated
carries Songda's clock (when it sent the Originate), so it is reported apart. The Redis stream entry ids
(Redis's clock at the XADD) show AMI event -> bus; with --desk-process, whose desks hear the calls through
the bus, they also split the latency into AMI event -> bus -> client (the AMI owner's own desks hear them
from its event pipeline, before the XADD). CPU seconds per process in the measured window show what else
the (shared) machine was doing. Transcription after calls is off in the API process: production runs it in
`songda worker`. Needs Asterisk running (`songda asterisk up`), Redis, /usr/bin/chromium and the desk
built (`cd agent_desk/frontend && npm run build`)."""

import argparse
import asyncio
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from answering_phones import PhonePorts, start_answering_phones, wait_registered  # beside this script
from bench_world import phone_attempts
from desk_listener import CallUpdate, ListenerProcess, desk_login
from playwright.async_api import Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

# 1001-1012 belong to tests that may run on this machine meanwhile.
AGENT_EXTENSIONS = tuple(str(number) for number in range(1013, 1031))
PHONE_PORTS = PhonePorts(sip_base=28000, rtp_base=29000, rtp_ports_per_phone=100)  # below the ephemeral ports
CHROMIUM = "/usr/bin/chromium"
CLK_TCK = os.sysconf("SC_CLK_TCK")
CHROMIUM_ARGS = [  # tests/desk_e2e/conftest.py's flags, without the fake microphone (no softphone here)
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "bench-password-1"
SUPERVISOR = "bench-supervisor"
SHOWN_FIELDS = ("state", "recording", "on_hold", "answered_at", "ended_at", "outcome")
NOT_AMI = frozenset({"CallOriginated", "resynced"})  # times from Songda's clock, not an AMI Timestamp
PING_SECONDS = 20.0  # PROTOCOL.md: a ping every 20 s, or the server closes the session as idle
SERVER_START_SECONDS = 40.0
STAYING_PARTY = "19900000200"  # dialplans/README.md: answers and stays on the line until hung up
SETTLE_SECONDS = 30.0  # once the calls ended, how long updates may still come before they count as lost
WALL_PROBE = """(() => {
  const probe = { events: [], snapshots: [] };
  window.__deskProbe = probe;
  const now = () => performance.timeOrigin + performance.now();
  const listen = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'message') return listen.call(this, type, listener, options);
    return listen.call(this, type, function (message) {
      const received = now();
      listener.call(this, message);
      const rowChanged = now();
      const frame = JSON.parse(message.data);
      const latest = new Map();  // in a batch, the row shows the last of a call's updates
      for (const envelope of frame.type === 'batch' ? frame.data : [frame]) {
        if (envelope.type === 'snapshot') probe.snapshots.push(envelope.topic);
        if (envelope.type !== 'event' || envelope.topic !== 'calls') continue;
        const row = document.querySelector(`tr[data-call-id="${envelope.data.call_id}"]`);
        const entry = { call: envelope.data, received, rowChanged, rowState: row ? row.dataset.state : null };
        probe.events.push(entry);
        if (latest.has(envelope.data.call_id)) latest.get(envelope.data.call_id).superseded = true;
        latest.set(envelope.data.call_id, entry);
        requestAnimationFrame(() => { entry.frame = now(); });
      }
    }, options);
  };
})();"""


@dataclass(frozen=True)
class World:
    supervisor_tokens: list[str]  # one login per websocket client
    agent_tokens: list[str]  # aligned with the phones' extensions
    attempt_ids: list[int]  # one phone delivery attempt per measured call
    warmup_attempt_ids: list[int]  # and per warm-up call


@dataclass(frozen=True)
class Update:
    """One update of a call the hub sends, as the replay of the bus predicts it."""

    kind: str  # the call event behind it
    at: float  # the event's time, epoch seconds
    published: float  # when it went onto the bus
    shown: tuple[Any, ...]


@dataclass
class Observed:
    call_ids: list[str]
    updates: dict[str, list[Update]]
    other_events: int
    clients: list[list[CallUpdate]]  # per client: (kernel receive time, read time, call id, call data)
    clients_closed: int
    wall: list[dict[str, Any]]
    page_errors: list[str]
    browser_clock_skew_ms: float
    window_seconds: float  # from placing the calls to the last update delivered
    cpu_seconds: dict[str, float]  # in that window, per part of the run
    live_at_once: int | None  # with a ramp: the most calls live together (party answered, not ended)


@dataclass
class Tally:
    """Latencies (seconds) of one kind of client, by the kind of event behind each update."""

    expected: Counter[str] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    mismatched: int = 0
    extra: int = 0

    def arrived(self, kinds: set[str] | frozenset[str]) -> int:
        return sum(len(self.latencies[kind]) for kind in kinds)

    def pooled(self, kinds: set[str] | frozenset[str]) -> list[float]:
        return [value for kind in kinds for value in self.latencies[kind]]


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--clients", type=int, default=199, help="lightweight websocket clients")
    parser.add_argument("--clip", default="thchs30_test_01", help="what the simulated parties play")
    parser.add_argument(
        "--ramp-seconds",
        type=float,
        default=0.0,
        help="0: every call at once, each party plays the clip and hangs up. More: the calls start evenly "
        "over this long to parties that stay on the line, are all live together for --hold-seconds, then "
        "are hung up (by the supervisor, through the API) evenly over the same time",
    )
    parser.add_argument("--hold-seconds", type=float, default=10.0)
    parser.add_argument(
        "--warmup-calls",
        type=int,
        default=5,
        help="calls placed (all at once, each party plays the clip) and ended before the measured ones, "
        "which are not measured: the server's first calls after start are not its steady state",
    )
    parser.add_argument(
        "--desk-process",
        action="store_true",
        help="the clients and the wall on a second `songda serve` without call control (README: several "
        "behind a reverse proxy, one owning AMI), fed by the Redis bus; calls still go to the AMI owner",
    )
    parser.add_argument(
        "--bus-url", default=os.environ.get("SONGDA_EVENT_BUS_URL", "redis://127.0.0.1:6379/15")
    )
    return parser.parse_args()


# The world: database, desk build, phones, API process.


def _build_world(data_dir: Path, calls: int, warmup: int, clients: int, extensions: list[str]) -> World:
    """A fresh SQLite database: CALLS + WARMUP phone attempts, one agent per extension, one supervisor."""
    os.environ["SONGDA_DATA_DIR"] = str(data_dir)
    os.environ["SONGDA_DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    import backend.models  # noqa: F401
    from backend import database
    from backend.auth.roles import Role

    database.Base.metadata.create_all(database.configure(os.environ["SONGDA_DATABASE_URL"]))
    with database.get_session() as session:
        attempts = phone_attempts(session, calls + warmup)
        supervisor = _user(session, SUPERVISOR, Role.supervisor)
        agents = [_user(session, f"bench{extension}", Role.agent, extension) for extension in extensions]
        return World(
            supervisor_tokens=[_token(session, supervisor) for _ in range(clients)],
            agent_tokens=[_token(session, agent) for agent in agents],
            attempt_ids=[attempt.id for attempt in attempts[warmup:]],
            warmup_attempt_ids=[attempt.id for attempt in attempts[:warmup]],
        )


def _user(session: Any, username: str, role: Any, extension: str | None = None) -> Any:
    from backend.auth import service as auth_service

    return auth_service.create_user(
        db_session=session,
        username=username,
        full_name=f"压测{username}",
        role=role,
        password=PASSWORD,
        sip_extension=extension,
    )


def _token(session: Any, user: Any) -> str:
    from backend.auth import service as auth_service

    session.flush()
    return auth_service.issue_token(db_session=session, user=user, client="desk-latency")[0]


def _asterisk_pid() -> int:
    from backend.config import get_settings
    from telephony.asterisk_root import running_pid

    pid = running_pid(get_settings().asterisk_root)
    if pid is None:
        raise SystemExit("Asterisk is not running: start it first (songda asterisk up)")
    return pid


def _desk_build() -> str:
    """The version of the built desk (not rebuilt here: a rebuild empties agent_desk/static for a moment)."""
    build = REPO_ROOT / "agent_desk" / "static" / "build.json"
    if not build.is_file():
        raise SystemExit("the desk is not built: cd agent_desk/frontend && npm run build")
    return str(json.loads(build.read_text())["version"])


def run_phones(extensions: list[str], ready: Any, stop: Any) -> None:
    """The agents (a separate process): one pyVoIP phone per extension, answering every call."""
    phones = start_answering_phones(extensions, PHONE_PORTS)
    if wait_registered(phones):
        ready.set()
        stop.wait()
    for phone in phones:
        phone.stop()


@contextmanager
def _phones(extensions: list[str]) -> Iterator[int]:
    """The phones' process, registered; yields its pid."""
    spawn = multiprocessing.get_context("spawn")
    ready, stop = spawn.Event(), spawn.Event()
    process = spawn.Process(target=run_phones, args=(extensions, ready, stop), daemon=True)
    process.start()
    try:
        if not ready.wait(40):
            raise SystemExit(f"the agent softphones {extensions[0]}-{extensions[-1]} did not register")
        yield process.pid or 0
    finally:
        stop.set()
        process.join(30)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _api_server(data_dir: Path, bus_url: str, *, owns_ami: bool) -> Iterator[tuple[str, int]]:
    """`songda serve` as production runs it (the process that owns AMI, or another one without call
    control); yields its base URL and pid."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "SONGDA_TELEPHONY_ENABLED": "true" if owns_ami else "false",
        "SONGDA_PARTY_ROUTE": "test",
        "SONGDA_EVENT_BUS_URL": bus_url,
        "SONGDA_PUBLIC_BASE_URL": base_url,
        # Transcription runs in `songda worker` in production; in-process it would put Vosk in this process.
        "SONGDA_TRANSCRIBE_AFTER_CALL": "false",
    }
    log_path = data_dir / f"server-{port}.log"
    # Started as production starts it, with its uvicorn options.
    songda = str(Path(sys.executable).parent / "songda")
    command = [songda, "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    failed = True
    try:
        _wait_healthy(base_url, process, log_path)
        yield base_url, process.pid
        failed = False
    finally:
        process.terminate()
        process.wait(15)
        if failed or process.returncode not in (0, -15):
            print(log_path.read_text(errors="replace")[-4000:], file=sys.stderr)


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    from tests.polling import poll_until

    def not_started() -> str:
        return f"the API process did not start:\n{log_path.read_text(errors='replace')}"

    def healthy() -> bool:
        if process.poll() is not None:
            raise SystemExit(not_started())
        try:
            return httpx.get(f"{base_url}/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    poll_until(healthy, timeout=SERVER_START_SECONDS, what=not_started, interval=0.2)


# CPU accounting.


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _machine_busy_seconds() -> float:
    jiffies = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(jiffies) - jiffies[3] - jiffies[4]) / CLK_TCK  # all but idle and iowait (steal included)


def _descendants(pid: int) -> set[int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


class CpuMeter:
    """CPU seconds used by each part of the run, and by the whole machine, since the meter started."""

    def __init__(self, parts: dict[str, set[int]]) -> None:
        self.parts = parts
        self.started = time.monotonic()
        self.before = self._read()

    def _read(self) -> dict[str, float]:
        used = {name: sum(_cpu_seconds(pid) for pid in pids) for name, pids in self.parts.items()}
        return used | {"whole machine (/proc/stat)": _machine_busy_seconds()}

    def used(self) -> tuple[float, dict[str, float]]:
        """(wall seconds, CPU seconds per part) since the start."""
        after = self._read()
        return time.monotonic() - self.started, {name: after[name] - self.before[name] for name in after}


def _cpu_meter(pids: dict[str, int]) -> CpuMeter:
    """Our own children apart from the API process and the phones are Chromium and Playwright's driver."""
    others = set(pids.values()) | set().union(*(_descendants(pid) for pid in pids.values()))
    parts = {name: {pid} for name, pid in pids.items()}
    parts["benchmark (this process)"] = {os.getpid()}
    parts["Chromium + Playwright driver"] = _descendants(os.getpid()) - others
    return CpuMeter(parts)


# The clients.


class WallPage:
    """The supervisor wall in headless Chromium, with WALL_PROBE timing every call event it handles."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    async def log_in(self, base_url: str) -> None:
        await self.page.goto(f"{base_url}/wall")
        try:
            await self.page.wait_for_url(re.compile(r"/login\?next="))
        except PlaywrightTimeoutError:
            body = await self.page.inner_text("body")
            raise SystemExit(
                f"/wall did not send us to the login page: {self.page.url} {body[:300]}"
            ) from None
        await self.page.fill("#username", SUPERVISOR)
        await self.page.fill("#password", PASSWORD)
        await self.page.click("#login-form button[type=submit]")
        await self.page.wait_for_url(f"{base_url}/wall")
        await self.page.wait_for_function("() => window.__deskProbe.snapshots.includes('calls')")

    async def count(self, call_ids: set[str]) -> int:
        return int(
            await self.page.evaluate(
                "(ids) => window.__deskProbe.events.filter((e) => ids.includes(e.call.call_id)).length",
                sorted(call_ids),
            )
        )

    async def clock_skew_ms(self) -> float:
        """The probe's clock (timeOrigin + now) minus the page's wall clock (Date.now())."""
        return float(
            await self.page.evaluate("() => performance.timeOrigin + performance.now() - Date.now()")
        )

    async def events(self) -> list[dict[str, Any]]:
        """Every call event handled, once the frame after the last one has run."""
        await self.page.evaluate("new Promise((done) => requestAnimationFrame(() => setTimeout(done)))")
        return list(await self.page.evaluate("window.__deskProbe.events"))


async def _open_wall(driver: Any, base_url: str) -> WallPage:
    browser = await driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    context = await browser.new_context(
        viewport={"width": 1440, "height": 1000}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    await context.add_init_script(script=WALL_PROBE)
    wall = WallPage(await context.new_page())
    await wall.log_in(base_url)
    return wall


# The calls and the bus.


async def _place_calls(
    base_url: str, world: World, attempt_ids: list[int], clip: str, ramp_seconds: float
) -> list[str]:
    """A call for each of ATTEMPT_IDS through the call-control API, each as its agent (all at once, or
    spread over RAMP_SECONDS to the party that stays on the line); returns the calls placed."""
    count = len(attempt_ids)
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
        responses = await asyncio.gather(
            *(
                _place_call(
                    http,
                    token=world.agent_tokens[index % len(world.agent_tokens)],
                    attempt_id=attempt_id,
                    number=STAYING_PARTY if ramp_seconds else f"1380000{index:04d}",
                    clip=clip,
                    delay=index * ramp_seconds / count,
                )
                for index, attempt_id in enumerate(attempt_ids)
            )
        )
    for response in responses:
        if response.status_code != 201:
            print(f"call refused: {response.status_code} {response.text}", flush=True)
    return [response.json()["call_id"] for response in responses if response.status_code == 201]


async def _place_call(
    http: httpx.AsyncClient, *, token: str, attempt_id: int, number: str, clip: str, delay: float
) -> httpx.Response:
    await asyncio.sleep(delay)  # the call's place in the ramp
    return await http.post(
        "/api/calls",
        json={
            "delivery_attempt_id": attempt_id,
            "number": number,
            "test_clip": clip,
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )


async def _hang_up_when_live(
    base_url: str, world: World, call_ids: list[str], options: argparse.Namespace, replay: "BusReplay"
) -> None:
    """Once every call's party answered (as the bus tells, or a minute passed), hold, then hang the calls
    up over the ramp as the supervisor."""
    headers = {"Authorization": f"Bearer {world.supervisor_tokens[0]}"}
    async with httpx.AsyncClient(base_url=base_url, timeout=60, headers=headers) as http:
        with suppress(TimeoutError):
            await asyncio.wait_for(replay.all_answered.wait(), 60)
        await asyncio.sleep(options.hold_seconds)  # all live together
        step = options.ramp_seconds / max(1, len(call_ids))
        for call_id in call_ids:
            response = await http.post(f"/api/calls/{call_id}/hangup")
            if response.status_code != 202:
                print(f"hang-up refused: {response.status_code} {response.text}", flush=True)
            await asyncio.sleep(step)  # the call's place in the ramp


class BusReplay:
    """The call-event stream read in order, as the hub reads it, replayed through the hub's LiveCallBoard:
    which updates the hub sends for each call, and when each event went onto the bus (its entry id)."""

    def __init__(self, client: Any, last_id: bytes) -> None:
        from backend.desk.live_calls import LiveCallBoard

        self.client, self.last_id = client, last_id
        self.board = LiveCallBoard()
        self.call_ids: set[str] = set()
        self.updates: dict[str, list[Update]] = {}
        self.ended: set[str] = set()
        self.other_events = 0
        self.answered: set[str] = set()
        self.all_answered = asyncio.Event()
        self.most_live = 0  # calls whose party answered and that had not ended, at most

    @classmethod
    async def from_now(cls, url: str) -> "BusReplay":
        """A replay of what is published from now on."""
        import redis.asyncio as redis

        from telephony.events import CALL_EVENTS_STREAM

        client = redis.from_url(url)
        latest = await client.xrevrange(CALL_EVENTS_STREAM, count=1)
        return cls(client, latest[0][0] if latest else b"0-0")

    async def follow(self, call_ids: list[str], timeout: float) -> None:
        """Replay until every call of CALL_IDS ended (or TIMEOUT)."""
        from telephony.events import CALL_EVENTS_STREAM

        self.call_ids, self.updates = set(call_ids), {call_id: [] for call_id in call_ids}
        deadline = time.monotonic() + timeout
        while not self.ended >= self.call_ids and time.monotonic() < deadline:
            batches = await self.client.xread({CALL_EVENTS_STREAM: self.last_id}, count=1000, block=1000)
            for _stream, entries in batches:
                for entry_id, fields in entries:
                    self._apply_entry(entry_id, fields)
        await self.client.aclose()
        if not self.ended >= self.call_ids:
            print(f"only {len(self.ended)}/{len(call_ids)} calls ended within {timeout:.0f} s", flush=True)

    def _apply_entry(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        from telephony.events import event_from_dict

        self.last_id = entry_id
        published = int(entry_id.split(b"-")[0]) / 1000  # Redis's clock at the XADD, in ms
        for data in json.loads(fields[b"batch"]):
            self._apply(event_from_dict(data), published)

    def _apply(self, event: Any, published: float) -> None:
        data = self.board.apply(event, None)
        if event.call_id not in self.call_ids:
            self.other_events += 1
            return
        if event.kind == "CallEnded":
            self.ended.add(event.call_id)
        elif event.kind == "PartyAnswered":
            self.answered.add(event.call_id)
            self.most_live = max(self.most_live, len(self.answered - self.ended))
            if self.answered >= self.call_ids:
                self.all_answered.set()
        if data is not None:
            kind = "resynced" if event.resynced else event.kind
            shown = tuple(data[name] for name in SHOWN_FIELDS)
            update = Update(kind=kind, at=event.at.timestamp(), published=published, shown=shown)
            self.updates[event.call_id].append(update)


# The measurement.


async def _measure(
    options: argparse.Namespace, world: World, base_url: str, desk_url: str, pids: dict[str, int]
) -> Observed:
    """Calls through BASE_URL (the AMI owner); the clients and the wall on DESK_URL."""
    logins = [desk_login(token, "calls") for token in world.supervisor_tokens]  # as the wall logs in
    listeners = ListenerProcess(desk_url.replace("http", "ws", 1) + "/ws", logins, PING_SECONDS)
    try:
        pids = pids | {"desk clients": await asyncio.to_thread(listeners.start, 120)}
        return await _measure_with(options, world, base_url, desk_url, pids, listeners)
    finally:
        listeners.stop()


async def _measure_with(
    options: argparse.Namespace,
    world: World,
    base_url: str,
    desk_url: str,
    pids: dict[str, int],
    listeners: ListenerProcess,
) -> Observed:
    async with async_playwright() as driver:
        wall = await _open_wall(driver, desk_url)
        await _warm_up(options, world, base_url)
        meter = _cpu_meter(pids)
        replay = await BusReplay.from_now(options.bus_url)  # before any call is placed
        call_ids = await _place_calls(base_url, world, world.attempt_ids, options.clip, options.ramp_seconds)
        hangups = None
        if options.ramp_seconds:
            hangups = asyncio.create_task(_hang_up_when_live(base_url, world, call_ids, options, replay))
        ramped = 2 * options.ramp_seconds + options.hold_seconds if options.ramp_seconds else 0
        await replay.follow(call_ids, timeout=90 + 2 * len(call_ids) + ramped)
        if hangups is not None:
            await hangups
        live_at_once = replay.most_live if options.ramp_seconds else None
        await _wait_delivered(listeners, wall, replay)
        window, cpu = meter.used()
        wall_events, page_errors, skew = await wall.events(), wall.errors, await wall.clock_skew_ms()
    clients, closed = await asyncio.to_thread(listeners.finish)
    return Observed(
        call_ids=call_ids,
        updates=replay.updates,
        other_events=replay.other_events,
        clients=clients,
        clients_closed=closed,
        wall=wall_events,
        page_errors=page_errors,
        browser_clock_skew_ms=skew,
        window_seconds=window,
        cpu_seconds=cpu,
        live_at_once=live_at_once,
    )


async def _warm_up(options: argparse.Namespace, world: World, base_url: str) -> None:
    """The warm-up calls, placed at once (each party plays the clip and hangs up); returns once they ended."""
    if not world.warmup_attempt_ids:
        return
    replay = await BusReplay.from_now(options.bus_url)
    call_ids = await _place_calls(base_url, world, world.warmup_attempt_ids, options.clip, 0)
    await replay.follow(call_ids, timeout=90)
    print(f"warm-up: {len(replay.ended)}/{len(call_ids)} calls ended", flush=True)


async def _wait_delivered(listeners: ListenerProcess, wall: WallPage, replay: BusReplay) -> None:
    """Until every client has as many updates of the calls as the replay predicts (or SETTLE_SECONDS)."""
    expected = sum(len(updates) for updates in replay.updates.values())
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        behind = await asyncio.to_thread(listeners.behind, replay.call_ids, expected)
        if not behind and await wall.count(replay.call_ids) >= expected:
            return
        await asyncio.sleep(0.2)  # poll interval


def _completed_calls(call_ids: list[str]) -> tuple[int, int]:
    """(call records ended, of which answered), from the API process's database."""
    from sqlalchemy import select

    from backend import database
    from backend.calls.models import CallRecord

    with database.get_session() as session:
        records = list(session.scalars(select(CallRecord).where(CallRecord.call_id.in_(call_ids))))
    ended = [record for record in records if record.status.value == "ended"]
    return len(ended), sum(1 for record in ended if record.outcome and record.outcome.value == "answered")


# Matching arrivals with the replayed updates.


def _match(tally: Tally, expected: list[Update], got: list[tuple[float, dict[str, Any]]], since: str) -> None:
    """The n-th update a client got for a call against the n-th one replayed; SINCE: `at` or `published`."""
    for update in expected:
        tally.expected[update.kind] += 1
    for update, (arrived, call) in zip(expected, got, strict=False):
        if tuple(call[name] for name in SHOWN_FIELDS) != update.shown:
            tally.mismatched += 1
        else:
            tally.latencies[update.kind].append(arrived - getattr(update, since))
    tally.extra += max(0, len(got) - len(expected))


def _clients_tally(observed: Observed, since: str, *, read: bool = False) -> Tally:
    """READ: from when the clients' process read the update, not when the kernel received it."""
    tally = Tally()
    for arrivals in observed.clients:
        by_call: dict[str, list[tuple[float, dict[str, Any]]]] = defaultdict(list)
        for received, read_at, call_id, data in arrivals:
            if call_id in observed.updates:
                by_call[call_id].append((read_at if read else received, data))
        for call_id, updates in observed.updates.items():
            _match(tally, updates, by_call[call_id], since)
    return tally


def _wall_tally(observed: Observed, moment: str, since: str = "at") -> Tally:
    """The browser's latencies at MOMENT: received, rowChanged or frame (ms since the epoch)."""
    by_call: dict[str, list[tuple[float, dict[str, Any]]]] = defaultdict(list)
    for entry in observed.wall:
        if entry["call"]["call_id"] in observed.updates and moment in entry:
            by_call[entry["call"]["call_id"]].append((entry[moment] / 1000, entry["call"]))
    tally = Tally()
    for call_id, updates in observed.updates.items():
        _match(tally, updates, by_call[call_id], since)
    return tally


# The report.


def _figures(seconds: list[float]) -> str:
    if not seconds:
        return "no arrivals"
    ordered = sorted(value * 1000 for value in seconds)

    def percentile(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    return (
        f"p50={percentile(50):.1f} ms p90={percentile(90):.1f} ms p99={percentile(99):.1f} ms "
        f"max={ordered[-1]:.1f} ms"
    )


def _print_tally(title: str, tally: Tally, *, by_kind: bool) -> None:
    ami = frozenset(tally.expected) - NOT_AMI
    lost = sum(tally.expected[kind] for kind in ami) - tally.arrived(ami)
    print(
        f"{title}: AMI-caused updates expected {sum(tally.expected[kind] for kind in ami)}, "
        f"arrived {tally.arrived(ami)}, lost {lost}, mismatched {tally.mismatched}, extra {tally.extra}: "
        f"{_figures(tally.pooled(ami))}"
    )
    kinds = sorted(ami) if by_kind else []
    for kind in [*kinds, *sorted(NOT_AMI)]:
        if tally.expected[kind]:
            print(
                f"    {kind}: {len(tally.latencies[kind])}/{tally.expected[kind]} "
                f"{_figures(tally.latencies[kind])}"
            )


def _report(observed: Observed, completed: tuple[int, int], clients: int, *, via_bus: bool) -> None:
    """VIA_BUS: the desks are served by a second process, which hears the calls through the Redis bus
    (the AMI owner's own desks hear them from its pipeline, before the XADD)."""
    per_call = [len(updates) for updates in observed.updates.values()]
    ended, answered = completed
    print(
        f"calls placed {len(observed.call_ids)}, call records ended {ended} (answered {answered}); "
        f"updates per call {min(per_call, default=0)}-{max(per_call, default=0)}, "
        f"{sum(per_call)} per client; other calls' events on the bus meanwhile: {observed.other_events}"
    )
    if observed.live_at_once is not None:
        print(f"calls live at once (party answered): {observed.live_at_once}")
    to_bus = [u.published - u.at for us in observed.updates.values() for u in us if u.kind not in NOT_AMI]
    print(f"AMI event -> on the Redis bus (XADD), per update: {_figures(to_bus)}")
    print(f"{clients} lightweight websocket clients (closed by the server: {observed.clients_closed})")
    _print_tally("  AMI event -> client (kernel receive time)", _clients_tally(observed, "at"), by_kind=True)
    read = _clients_tally(observed, "at", read=True)
    _print_tally("  AMI event -> read by the clients' process", read, by_kind=False)
    if via_bus:
        _print_tally("  bus -> client", _clients_tally(observed, "published"), by_kind=False)
    print(
        f"browser (Chromium, /wall; page errors: {len(observed.page_errors)}; "
        f"its timing clock minus Date.now(): {observed.browser_clock_skew_ms:.1f} ms)"
    )
    _print_tally("  AMI event -> message received", _wall_tally(observed, "received"), by_kind=False)
    _print_tally("  AMI event -> wall row changed", _wall_tally(observed, "rowChanged"), by_kind=True)
    _print_tally("  AMI event -> next frame", _wall_tally(observed, "frame"), by_kind=False)
    if via_bus:
        _print_tally(
            "  bus -> wall row changed", _wall_tally(observed, "rowChanged", "published"), by_kind=False
        )
    ours = [entry for entry in observed.wall if entry["call"]["call_id"] in observed.updates]
    ours = [entry for entry in ours if not entry.get("superseded")]
    rows_off = sum(1 for entry in ours if entry["rowState"] != entry["call"]["state"])
    print(f"  wall rows not showing the call's new state right after the event: {rows_off}/{len(ours)}")


def _print_cpu(observed: Observed) -> None:
    window, cpu = observed.window_seconds, observed.cpu_seconds
    shares = [f"{name} {seconds:.1f} s" for name, seconds in cpu.items()]
    print(
        f"CPU from placing the calls to the last update delivered ({window:.1f} s wall, "
        f"{window * (os.cpu_count() or 1):.1f} CPU s available): {'; '.join(shares)}"
    )


def _shape(options: argparse.Namespace) -> str:
    if not options.ramp_seconds:
        return f"all at once, parties play {options.clip}"
    ramp, hold = options.ramp_seconds, options.hold_seconds
    return f"started over {ramp:g} s, all live {hold:g} s, hung up over {ramp:g} s"


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg()) + f" ({os.cpu_count()} cores)"


def main() -> None:
    options = _options()
    print(f"load average at start: {_load()}", flush=True)
    extensions = list(AGENT_EXTENSIONS[: max(1, min(options.calls, len(AGENT_EXTENSIONS)))])
    print(
        f"calls {options.calls} ({_shape(options)}), phones {extensions[0]}-{extensions[-1]}, "
        f"clients {options.clients} + 1 browser on {'a second process' if options.desk_process else 'it'}, "
        f"bus {options.bus_url}, desk build {_desk_build()}",
        flush=True,
    )
    with tempfile.TemporaryDirectory(prefix="songda-desk-bench-") as tmp:
        data_dir = Path(tmp)
        world = _build_world(data_dir, options.calls, options.warmup_calls, options.clients, extensions)
        asterisk_pid = _asterisk_pid()
        with ExitStack() as running:
            phones_pid = running.enter_context(_phones(extensions))
            base_url, api_pid = running.enter_context(_api_server(data_dir, options.bus_url, owns_ami=True))
            pids = {"API process": api_pid, "Asterisk": asterisk_pid, "agent phones (pyVoIP)": phones_pid}
            desk_url = base_url
            if options.desk_process:
                desk_url, pids["desk process"] = running.enter_context(
                    _api_server(data_dir, options.bus_url, owns_ami=False)
                )
            observed = asyncio.run(_measure(options, world, base_url, desk_url, pids))
            completed = _completed_calls(observed.call_ids)
    _report(observed, completed, options.clients, via_bus=options.desk_process)
    _print_cpu(observed)
    print(f"load average at end: {_load()}")


if __name__ == "__main__":
    main()
