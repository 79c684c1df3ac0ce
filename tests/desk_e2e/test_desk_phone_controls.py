"""The browser phone's call controls end to end in headless Chromium on the real Asterisk: mute, hold and
the supervisor's whisper, each checked by what Asterisk received or the party heard, not just by the UI.
The party is the silent one, so that whatever it hears comes from the agent's side."""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from backend.calls.enums import CallOutcome, RecordingStatus
from tests.desk_e2e import desk_calls
from tests.desk_e2e.checks import wait_file_settled
from tests.desk_e2e.conftest import LiveServer
from tests.desk_e2e.desk_calls import (
    call_record_when,
    heard_by_party,
    inbound_power,
    open_desk,
    place_call,
    recording_seconds,
    silent_stretches,
    speech_seconds,
    wait_until,
)
from tests.desk_e2e.pages import log_in, page_sleep
from tests.desk_e2e.world import DeskWorld
from tests.polling import poll_until
from tests.telephony.conftest import AsteriskUnderTest
from tests.telephony.raw_ami import RawAmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

desk_world = desk_calls.silent_party_world
hang_up_leftovers = desk_calls.hang_up_leftovers

TALK_SECONDS = 3.0
PAUSE_SECONDS = 4.0  # muted or held
ALIGNMENT_SECONDS = 1.0  # clicks and the hang-up against where the recording shows them
HEARD_POWER = 1e-3  # a whispering supervisor came through at about 0.2, the silent line below 1e-8


def _agent_channel_event(ami: RawAmiSession, event: str, world: DeskWorld, call_id: str) -> dict[str, str]:
    return ami.wait_event(
        lambda e: (
            e.get("Event") == event
            and e.get("Channel", "").startswith(f"PJSIP/web{world.agent_extension}-")
            and e.get("Linkedid") == call_id
        ),
        timeout=10,
    )


def _assert_silent_only_during(recording: Path, pause: tuple[float, float], hung_up: float) -> None:
    """RECORDING is silent during PAUSE and carries speech before and after it (if the call went on).
    Monotonic times are placed in the recording by its end, which is the hang-up."""
    wait_file_settled(recording, timeout=15)
    length = recording_seconds(recording)
    expected = (length - (hung_up - pause[0]), length - (hung_up - pause[1]))
    stretches = silent_stretches(recording)
    assert len(stretches) == 1, f"{recording.name}: silent {stretches}, expected once at {expected}"
    start, end = stretches[0]
    assert abs(start - expected[0]) < ALIGNMENT_SECONDS, f"silent from {start:.1f} s, not {expected[0]:.1f}"
    assert abs(end - expected[1]) < ALIGNMENT_SECONDS, f"silent until {end:.1f} s, not {expected[1]:.1f}"
    assert speech_seconds(recording, 0, start) > 1.0, f"{recording.name}: no speech before the pause"
    if pause[1] < hung_up:
        assert speech_seconds(recording, end, length) > 1.0, f"{recording.name}: no speech after the pause"


def test_mute_silences_what_asterisk_receives_and_unmute_restores_it(
    live_server: LiveServer,
    desk_world: DeskWorld,
    open_context: Callable[[], BrowserContext],
    asterisk: AsteriskUnderTest,
) -> None:
    desk = open_context().new_page()
    open_desk(desk, live_server.base_url, desk_world)
    call_id = place_call(desk, desk_world)
    mute = desk.locator("#phone-mute")
    wait_until(time.monotonic() + TALK_SECONDS)

    muted_at = time.monotonic()
    desk.keyboard.press("m")  # 静音 / 取消静音
    expect(mute).to_have_attribute("aria-pressed", "true")
    expect(mute).to_have_text("取消静音")
    wait_until(muted_at + PAUSE_SECONDS)
    unmuted_at = time.monotonic()
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "false")
    expect(mute).to_have_text("静音")
    wait_until(unmuted_at + TALK_SECONDS)
    hung_up = desk_calls.hang_up(desk)

    # What Asterisk received from the browser, and what the party heard: silence only while muted.
    paths = asterisk.recording_paths(call_id)
    _assert_silent_only_during(paths.agent, (muted_at, unmuted_at), hung_up)
    _assert_silent_only_during(heard_by_party(asterisk, call_id), (muted_at, unmuted_at), hung_up)


def _sip_frames(page: Page) -> list[str]:
    """Every SIP message the page's phone sends to Asterisk (collect before the page loads)."""
    frames: list[str] = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda payload: frames.append(str(payload))))
    return frames


def _reinvite(page: Page, frames: list[str], after: int) -> str:
    """The one re-INVITE sent since AFTER frames (the page runs the listener: wait through it)."""
    invites = poll_until(
        lambda: [frame for frame in frames[after:] if frame.startswith("INVITE ")] or None,
        timeout=10,
        what="no re-INVITE",
        interval=0.1,
        sleep=page_sleep(page),
    )
    assert len(invites) == 1, f"{len(invites)} re-INVITEs"
    return invites[0]


def test_hold_reinvites_sendonly_asterisk_holds_and_unhold_resumes_the_call(
    live_server: LiveServer,
    desk_world: DeskWorld,
    open_context: Callable[[], BrowserContext],
    asterisk: AsteriskUnderTest,
    ami: RawAmiSession,
) -> None:
    desk = open_context().new_page()
    sip_frames = _sip_frames(desk)
    open_desk(desk, live_server.base_url, desk_world)
    call_id = place_call(desk, desk_world)
    hold, phone_state = desk.locator("#phone-hold"), desk.locator("#phone-call-state")
    call_state = desk.locator("#call-state")
    wait_until(time.monotonic() + TALK_SECONDS)

    held_at, sent = time.monotonic(), len(sip_frames)
    hold.click()
    expect(phone_state).to_have_attribute("data-state", "held")
    expect(phone_state).to_contain_text("保持中")
    expect(hold).to_have_attribute("aria-pressed", "true")
    assert "a=sendonly" in _reinvite(desk, sip_frames, sent)
    _agent_channel_event(ami, "Hold", desk_world, call_id)
    expect(call_state).to_have_attribute("data-on-hold", "true", timeout=10_000)  # the server's view, pushed
    wait_until(held_at + PAUSE_SECONDS)

    resumed_at, sent = time.monotonic(), len(sip_frames)
    hold.click()
    expect(phone_state).to_have_attribute("data-state", "active")
    expect(hold).to_have_attribute("aria-pressed", "false")
    assert "a=sendrecv" in _reinvite(desk, sip_frames, sent)
    _agent_channel_event(ami, "Unhold", desk_world, call_id)
    expect(call_state).to_have_attribute("data-on-hold", "false", timeout=10_000)
    wait_until(resumed_at + TALK_SECONDS)
    hung_up = desk_calls.hang_up(desk)

    # The party heard the agent before and after the hold, nothing during it; the call's record is whole.
    _assert_silent_only_during(heard_by_party(asterisk, call_id), (held_at, resumed_at), hung_up)
    _assert_record_intact(call_id, talked_at_least=hung_up - held_at)


def _assert_record_intact(call_id: str, *, talked_at_least: float) -> None:
    record = call_record_when(
        call_id,
        lambda r: r.recording_status is not RecordingStatus.pending,
        timeout=20,
        what="its recordings were never settled",
    )
    holds = [entry["on_hold"] for entry in record.event_log if entry["type"] == "CallHeld"]
    assert holds == [True, False]
    assert record.outcome is CallOutcome.answered and record.answered_at is not None
    assert record.talk_seconds is not None and record.talk_seconds >= int(talked_at_least)
    assert record.recording_status is RecordingStatus.complete


def test_whisper_reaches_the_agent_only(
    live_server: LiveServer,
    desk_world: DeskWorld,
    open_context: Callable[[], BrowserContext],
    asterisk: AsteriskUnderTest,
    ami: RawAmiSession,
) -> None:
    desk, wall = open_context().new_page(), open_context().new_page()
    desk.add_init_script(desk_calls.PEER_CONNECTIONS)
    open_desk(desk, live_server.base_url, desk_world)
    log_in(wall, f"{live_server.base_url}/wall", desk_world.supervisor_username, desk_world.password)
    expect(wall.locator("#phone-registration")).to_have_attribute("data-state", "registered", timeout=20_000)
    call_id = place_call(desk, desk_world)
    wait_until(time.monotonic() + TALK_SECONDS)  # the party hears the agent...
    muted_at = time.monotonic()
    desk.keyboard.press("m")  # ...who then mutes: from now on the party must hear nothing at all
    expect(desk.locator("#phone-mute")).to_have_attribute("aria-pressed", "true")
    assert inbound_power(desk, 2.0) < HEARD_POWER / 100  # the silent party's line

    wall_call = wall.locator(f"#wall-calls tr[data-call-id='{call_id}']")
    listening = _spy(desk, wall, wall_call.locator("[data-action=listen]"), ami, desk_world)
    assert listening < HEARD_POWER / 100, f"listen-in: the agent heard {listening:.2g}"
    wall.click("#phone-hangup")
    ami.wait_event(_spying_on(desk_world, "ChanSpyStop"), timeout=10)
    whispering = _spy(desk, wall, wall_call.locator("[data-action=whisper]"), ami, desk_world)
    assert whispering > HEARD_POWER, f"whisper: the agent heard only {whispering:.2g}"
    hung_up = desk_calls.hang_up(desk)
    expect(wall.locator("#phone-call-state")).to_have_count(0, timeout=10_000)  # the spy call ended too

    _assert_silent_only_during(heard_by_party(asterisk, call_id), (muted_at, hung_up), hung_up)


def _spying_on(world: DeskWorld, event: str) -> Callable[[dict[str, str]], bool]:
    prefix = f"PJSIP/web{world.agent_extension}-"
    return lambda e: e.get("Event") == event and e.get("SpyeeChannel", "").startswith(prefix)


def _spy(desk: Page, wall: Page, button: Locator, ami: RawAmiSession, world: DeskWorld) -> float:
    """Listen in or whisper from the wall; the power of what the agent's phone received meanwhile."""
    started = _spying_on(world, "ChanSpyStart")
    earlier = ami.matching(started)
    button.click()
    expect(wall.locator("#phone-call-state")).to_have_attribute("data-state", "active", timeout=10_000)
    ami.wait_event(lambda e: started(e) and e not in earlier, timeout=10)
    return inbound_power(desk, 3.0)
