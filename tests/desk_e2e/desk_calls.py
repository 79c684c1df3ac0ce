"""Desk calls to the silent party (it answers and stays on the line, recording what it hears), and what
they carried: the agent page's own WebRTC statistics, and the silent stretches of Asterisk's recordings."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from backend import database
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from telephony.audio import read_wav_pcm16
from tests.desk_e2e.pages import log_in, page_sleep
from tests.desk_e2e.world import SILENT_PARTY_NUMBER, DeskWorld, build_world
from tests.polling import poll_until
from tests.telephony.audio_checks import envelope
from tests.telephony.conftest import AsteriskUnderTest
from tests.telephony.raw_ami import RawAmiSession

FRAME_SECONDS = 0.1  # one envelope frame
SILENT_RMS = 20  # digital silence; the fake microphone's quietest 100 ms (its noise floor) is about 65
SPEECH_RMS = 300
MIN_STRETCH_SECONDS = 1.0  # shorter ones may be the start of the media; the clip never drops below SILENT_RMS

PEER_CONNECTIONS = """(() => {
  const Native = window.RTCPeerConnection;
  window.__peerConnections = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__peerConnections.push(this);
    }
  };
})();"""

INBOUND_AUDIO = """async () => {
  const connection = window.__peerConnections.at(-1);
  const reports = connection ? [...(await connection.getStats()).values()] : [];
  const inbound = reports.find((report) => report.type === 'inbound-rtp' && report.kind === 'audio');
  return inbound ? [inbound.totalAudioEnergy || 0, inbound.totalSamplesDuration || 0] : [0, 0];
}"""


@pytest.fixture(name="desk_world")
def silent_party_world(db: Engine, desk_phones: tuple[str, str]) -> DeskWorld:
    """The desk world with the silent party as the number to call: its calls last until hung up."""
    agent_extension, supervisor_extension = desk_phones
    with database.get_session() as session:
        return build_world(
            session,
            agent_extension=agent_extension,
            supervisor_extension=supervisor_extension,
            party_number=SILENT_PARTY_NUMBER,
        )


@pytest.fixture(autouse=True)
def hang_up_leftovers(ami: RawAmiSession, desk_phones: tuple[str, str]) -> Iterator[None]:
    """The silent party never hangs up: end the browser phones' channels a failed test left up."""
    yield
    prefixes = tuple(f"PJSIP/web{extension}-" for extension in desk_phones)
    for channel in _channels_up(ami, prefixes):
        ami.action("Hangup", Channel=channel)


def _channels_up(ami: RawAmiSession, prefixes: tuple[str, ...]) -> set[str]:
    def named(event: str) -> set[str]:
        return {
            e["Channel"]
            for e in ami.matching(lambda e: e.get("Event") == event)
            if e["Channel"].startswith(prefixes)
        }

    return named("Newchannel") - named("Hangup")


def open_desk(page: Page, base_url: str, world: DeskWorld) -> None:
    """Log the agent in; once the browser phone registered: audio processing off, available, next task."""
    log_in(page, f"{base_url}/desk", world.agent_username, world.password)
    expect(page.locator("#phone-registration")).to_have_attribute("data-state", "registered", timeout=20_000)
    page.click(".phone-settings summary")
    for setting in ("echoCancellation", "autoGainControl", "noiseSuppression"):
        page.uncheck(f"#phone-setting-{setting}")
    page.click("#presence-available")
    expect(page.locator("#presence-state")).to_have_attribute("data-state", "available")
    page.keyboard.press("n")
    expect(page.locator("#task-case-number")).to_have_text(world.case_number, timeout=10_000)


def place_call(page: Page, world: DeskWorld) -> str:
    """Click to call the task's phone; once the browser phone answered and the party too, the call id."""
    page.click(f".contact[data-contact-point-id='{world.phone_contact_id}'] [data-action=call]")
    return wait_answered(page)


def wait_answered(page: Page) -> str:
    expect(page.locator("#phone-call-state")).to_have_attribute("data-state", "active", timeout=30_000)
    call_state = page.locator("#call-state")
    expect(call_state).to_have_attribute("data-state", "talking", timeout=20_000)
    return call_state.get_attribute("data-call-id") or ""


def hang_up(page: Page) -> float:
    """Hang up with the desk's shortcut; the monotonic time of the key press."""
    pressed = time.monotonic()
    page.keyboard.press("h")
    expect(page.locator("#call-state")).to_have_attribute("data-state", "ended", timeout=15_000)
    return pressed


def wait_until(moment: float) -> None:
    """Poll the monotonic clock until MOMENT (the call goes on meanwhile: nothing to wait for but time)."""
    while time.monotonic() < moment:
        time.sleep(0.05)  # poll interval


def inbound_power(page: Page, seconds: float) -> float:
    """Mean power (audio level squared) of what the page's phone received over the next SECONDS."""
    energy, duration = page.evaluate(INBOUND_AUDIO)

    def mean_power() -> float | None:
        now_energy, now_duration = page.evaluate(INBOUND_AUDIO)
        if now_duration - duration >= seconds:
            return float((now_energy - energy) / (now_duration - duration))
        return None

    return poll_until(
        mean_power,
        timeout=seconds + 10,
        what="the phone stopped playing out received audio",
        interval=0.2,
        sleep=page_sleep(page),
    )


def heard_by_party(asterisk: AsteriskUnderTest, call_id: str) -> Path:
    """What the silent party heard (its dialplan records it beside the call's recordings)."""
    return asterisk.recording_dir / f"{call_id}-heard.wav"


def silent_stretches(path: Path) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of digital silence lasting MIN_STRETCH_SECONDS or more."""
    stretches, start = [], None
    frames = envelope(read_wav_pcm16(path))
    for index, level in enumerate([*frames, SILENT_RMS]):
        if level < SILENT_RMS and start is None:
            start = index
        elif level >= SILENT_RMS and start is not None:
            if (index - start) * FRAME_SECONDS >= MIN_STRETCH_SECONDS:
                stretches.append((start * FRAME_SECONDS, index * FRAME_SECONDS))
            start = None
    return stretches


def speech_seconds(path: Path, start: float, end: float) -> float:
    """How much of START..END (seconds into the recording) is speech."""
    frames = envelope(read_wav_pcm16(path))[int(start / FRAME_SECONDS) : int(end / FRAME_SECONDS)]
    return sum(FRAME_SECONDS for level in frames if level >= SPEECH_RMS)


def recording_seconds(path: Path) -> float:
    return len(envelope(read_wav_pcm16(path))) * FRAME_SECONDS


def call_record_when(
    call_id: str, settled: Callable[[CallRecord], bool], *, timeout: float, what: str
) -> CallRecord:
    """The call's record once SETTLED holds; fails the test, saying WHAT never happened, after TIMEOUT."""

    def probe() -> CallRecord | None:
        with database.get_session() as session:
            record = call_service.get_call(db_session=session, call_id=call_id)
            return record if record is not None and settled(record) else None

    return poll_until(probe, timeout=timeout, what=f"call {call_id}: {what}", interval=0.2)
