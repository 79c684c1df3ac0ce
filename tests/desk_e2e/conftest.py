"""Real-browser harness: the built desk, the API server (call control on) as a uvicorn subprocess on the
test database, headless Chromium with a fake microphone playing a Mandarin clip, and the real Asterisk."""

import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright
from sqlalchemy import Engine

from backend import database
from telephony.audio import read_wav_pcm16, write_wav_pcm16
from tests.conftest import REPO_ROOT
from tests.desk_e2e.pages import new_context
from tests.desk_e2e.world import AGENT_EXTENSION, SUPERVISOR_EXTENSION, DeskWorld, build_world
from tests.polling import poll_until
from tests.telephony import conftest as telephony_fixtures
from tests.telephony.conftest import AsteriskUnderTest

FRONTEND_DIR = REPO_ROOT / "agent_desk" / "frontend"
STATIC_DIR = REPO_ROOT / "agent_desk" / "static"
CHROMIUM = "/usr/bin/chromium"
FIREFOX = "/usr/bin/firefox-esr"
FIREFOX_TONE_HZ = 700  # Firefox's fake microphone plays a sine tone of this frequency
MICROPHONE_CLIP = "thchs30_test_02"  # the agent speaking (the party plays thchs30_test_01)
CHROMIUM_RATE = 48000
SERVER_START_SECONDS = 40.0

# The real Asterisk and an AMI session, shared with the telephony tests.
asterisk = telephony_fixtures.asterisk
ami = telephony_fixtures.ami


def chromium_args(microphone_wav: Path) -> list[str]:
    return [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--allow-loopback-in-peer-connection",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone_wav}",
        "--autoplay-policy=no-user-gesture-required",
    ]


@pytest.fixture(scope="session")
def built_desk() -> Path:
    """Build the desk as scripts/setup.sh does (npm ci once, then esbuild)."""
    if not (FRONTEND_DIR / "node_modules" / ".package-lock.json").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=FRONTEND_DIR, check=True
        )
    subprocess.run(["npm", "run", "build", "--silent"], cwd=FRONTEND_DIR, check=True)
    assert (STATIC_DIR / "desk.html").is_file()
    return STATIC_DIR


@dataclass(frozen=True)
class Microphone:
    chromium_wav: Path  # what Chromium captures (48 kHz mono 16-bit PCM, looped)
    clip: Path  # the source clip, for comparisons


@pytest.fixture(scope="session")
def microphone(asterisk: AsteriskUnderTest, tmp_path_factory: pytest.TempPathFactory) -> Microphone:
    """A real Mandarin clip as the fake microphone, resampled to 48 kHz mono PCM for Chromium."""
    clip = asterisk.clip(MICROPHONE_CLIP)
    target = tmp_path_factory.mktemp("microphone") / f"{MICROPHONE_CLIP}-48k.wav"
    write_wav_pcm16(target, read_wav_pcm16(clip, rate=CHROMIUM_RATE), rate=CHROMIUM_RATE)
    return Microphone(chromium_wav=target, clip=clip)


def firefox_prefs() -> dict[str, str | int | bool]:
    """Firefox's counterpart of the Chromium flags: its fake microphone (a steady tone), no permission
    prompt, autoplay, and ICE over loopback with real (not mDNS) host addresses."""
    return {
        "media.navigator.streams.fake": True,
        "media.navigator.permission.disabled": True,
        "media.navigator.audio.fake_frequency": FIREFOX_TONE_HZ,
        "media.autoplay.default": 0,
        "media.autoplay.blocking_policy": 0,
        "media.peerconnection.ice.loopback": True,
        "media.peerconnection.ice.obfuscate_host_addresses": False,
        "network.dns.disableIPv6": True,
    }


# Package scope: Playwright's sync API keeps an event loop running on the main thread while it is open,
# which would make every later `asyncio.run()` in the session fail. One Playwright serves both browsers.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright, microphone: Microphone) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=chromium_args(microphone.chromium_wav)
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="package")
def firefox(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Firefox ESR over WebDriver BiDi (Playwright's "moz-firefox" channel: the stock browser)."""
    browser = playwright.firefox.launch(
        channel="moz-firefox", executable_path=FIREFOX, headless=True, firefox_user_prefs=firefox_prefs()
    )
    yield browser
    browser.close()


def _context_opener(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        contexts.append(new_context(browser))
        return contexts[-1]

    yield make
    for context in contexts:
        context.close()


@pytest.fixture()
def open_context(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """New browser contexts (an agent's or supervisor's browser), closed after the test: closing them
    unregisters their browser phones, so later tests ring the desk phones again."""
    yield from _context_opener(browser)


@pytest.fixture()
def open_firefox_context(firefox: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """The same as `open_context`, in Firefox."""
    yield from _context_opener(firefox)


@pytest.fixture()
def desk_phones() -> tuple[str, str]:
    """The agent's and the supervisor's extensions; a module overrides this to use phones of its own."""
    return AGENT_EXTENSION, SUPERVISOR_EXTENSION


@pytest.fixture()
def desk_world(db: Engine, desk_phones: tuple[str, str]) -> DeskWorld:
    agent_extension, supervisor_extension = desk_phones
    with database.get_session() as session:
        return build_world(
            session, agent_extension=agent_extension, supervisor_extension=supervisor_extension
        )


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    def healthy() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log_path.read_text(errors='replace')}")
        try:
            return httpx.get(f"{url}/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    poll_until(
        healthy,
        timeout=SERVER_START_SECONDS,
        what=lambda: f"server not healthy: {log_path.read_text(errors='replace')}",
        interval=0.2,
    )


@pytest.fixture()
def live_server(
    desk_world: DeskWorld, database_url: str, asterisk: AsteriskUnderTest, built_desk: Path, tmp_path: Path
) -> Iterator[LiveServer]:
    """`songda serve` as production runs it: one process owning AMI, serving the API, websocket and desk."""
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "SONGDA_DATABASE_URL": database_url,
        "SONGDA_TELEPHONY_ENABLED": "true",
        "SONGDA_PUBLIC_BASE_URL": base_url,
        "SONGDA_PARTY_ROUTE": "test",
        "SONGDA_IN_PROCESS_SCHEDULER": "true",  # the desk's sweeps (wrap-ups ending...) are periodic jobs
    }
    log_path = tmp_path / "server.log"
    command = [sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_healthy(base_url, process, log_path)
        yield LiveServer(base_url=base_url, log_path=log_path)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
