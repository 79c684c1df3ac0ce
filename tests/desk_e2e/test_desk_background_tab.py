"""The desk in a background tab whose timers do not run (tests/desk_e2e/background.py), in headless Chromium
on the real Asterisk: what happens meanwhile on the server is on the page the moment the tab is back, and
durations are computed from the server's timestamps, not from ticks counted while hidden."""

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect

from backend import database
from backend.calls import service as call_service
from backend.calls.models import CallRecord
from tests.desk_e2e import desk_calls
from tests.desk_e2e.background import BackgroundTab
from tests.desk_e2e.conftest import LiveServer
from tests.desk_e2e.desk_calls import open_desk, wait_answered
from tests.desk_e2e.world import SILENT_PARTY_NUMBER, DeskWorld
from tests.telephony.raw_ami import RawAmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

desk_world = desk_calls.silent_party_world
hang_up_leftovers = desk_calls.hang_up_leftovers

WRAP_UP_SECONDS = 4
IDLE_SECONDS = 25  # the server closes a socket silent this long (the desk pings every 20 s, when it can)
HIDDEN_TALK_SECONDS = 8
TIMERS = ("#call-timer", "#presence-timer", "#phone-timer")


@pytest.fixture(autouse=True)
def quick_server_timers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short wrap-up and idle timeout for the server process (autouse: set before `live_server` starts)."""
    monkeypatch.setenv("SONGDA_DESK_WRAP_UP_SECONDS", str(WRAP_UP_SECONDS))
    monkeypatch.setenv("SONGDA_DESK_WS_IDLE_SECONDS", str(IDLE_SECONDS))


def _seconds(text: str | None) -> int:
    """ "01:15" or " 话机计时 01:15" -> 75."""
    match = re.search(r"(\d+):(\d\d)$", text or "")
    assert match, f"no duration in {text!r}"
    return int(match[1]) * 60 + int(match[2])


def _call_record(call_id: str) -> CallRecord:
    with database.get_session() as session:
        record = call_service.get_call(db_session=session, call_id=call_id)
        assert record is not None
        return record


def _seconds_since(moment: datetime) -> float:
    return (datetime.now(UTC) - moment.replace(tzinfo=UTC)).total_seconds()


def _call_from_hidden_tab(desk: Page, tab: BackgroundTab, world: DeskWorld) -> str:
    """The agent clicks to call and switches to another tab at once; the call is answered meanwhile."""
    tab.hide()
    desk.click(f".contact[data-contact-point-id='{world.phone_contact_id}'] [data-action=call]")
    call_id = wait_answered(desk)  # the browser phone answered by itself, the party too: events, no timers
    expect(desk.locator("#presence-state")).to_have_attribute("data-state", "on_call")
    return call_id


def test_a_call_answered_in_a_hidden_tab_shows_its_true_duration_when_the_tab_is_back(
    live_server: LiveServer, desk_world: DeskWorld, open_context: Callable[[], BrowserContext]
) -> None:
    desk = open_context().new_page()
    tab = BackgroundTab(desk)
    open_desk(desk, live_server.base_url, desk_world)
    call_id = _call_from_hidden_tab(desk, tab, desk_world)

    answered_at = _call_record(call_id).answered_at
    assert answered_at is not None
    deadline = time.monotonic() + HIDDEN_TALK_SECONDS + 10
    while _seconds_since(answered_at) < HIDDEN_TALK_SECONDS:
        assert time.monotonic() < deadline
        desk.wait_for_timeout(200)  # poll interval
    # No tick ran while hidden: the timers still show what the last event rendered.
    assert _seconds(desk.locator("#call-timer").text_content()) <= 2

    back = tab.show(*TIMERS)
    talked = _seconds_since(answered_at)
    assert back["droppedTicks"] >= HIDDEN_TALK_SECONDS  # the desk's every-second ticks, held off
    for selector in TIMERS:
        shown = _seconds(back["shown"][selector])
        assert abs(shown - talked) <= 2, f"{selector} shows {shown} s after {talked:.1f} s on the phone"
    desk_calls.hang_up(desk)


def _hang_up_party(ami: RawAmiSession, call_id: str) -> None:
    """The party hangs up (its half of the Local channel the dialplan answers on)."""
    party = ami.wait_event(
        lambda e: (
            e.get("Event") == "Newchannel"
            and e.get("Linkedid") == call_id
            and e.get("Channel", "").startswith(f"Local/{SILENT_PARTY_NUMBER}@")
            and e["Channel"].endswith(";2")
        ),
        timeout=10,
    )
    response = ami.action("Hangup", Channel=party["Channel"])
    assert response.get("Response") == "Success", response


def _force_break(base_url: str, world: DeskWorld, agent_user_id: int) -> dict[str, str]:
    """The supervisor sends the agent on a break from elsewhere; the agent's new presence."""
    login = httpx.post(
        f"{base_url}/api/auth/login",
        json={"username": world.supervisor_username, "password": world.password},
    )
    login.raise_for_status()
    response = httpx.post(
        f"{base_url}/api/wall/agents/{agent_user_id}/presence",
        json={"state": "break", "reason": "主管安排小休"},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_hidden_tab_follows_the_server_and_catches_up_after_its_socket_was_dropped(
    live_server: LiveServer,
    desk_world: DeskWorld,
    open_context: Callable[[], BrowserContext],
    ami: RawAmiSession,
) -> None:
    desk = open_context().new_page()
    tab = BackgroundTab(desk)
    open_desk(desk, live_server.base_url, desk_world)
    call_id = _call_from_hidden_tab(desk, tab, desk_world)
    presence, connection = desk.locator("#presence-state"), desk.locator("#connection")

    # Still hidden: the party hangs up; wrap-up starts and the server ends it, no local countdown needed.
    _hang_up_party(ami, call_id)
    expect(desk.locator("#call-state")).to_have_attribute("data-state", "ended", timeout=15_000)
    expect(desk.locator("#phone-call-state")).to_have_count(0)  # the browser phone took the BYE
    expect(presence).to_have_attribute("data-state", "wrap_up", timeout=10_000)
    expect(presence).to_have_attribute("data-state", "available", timeout=(WRAP_UP_SECONDS + 10) * 1000)

    # No pings go out, so the server drops the socket; a supervisor's change then cannot reach the page.
    expect(connection).to_have_attribute("data-state", "closed", timeout=(IDLE_SECONDS + 15) * 1000)
    agent_user_id = int(desk.evaluate("JSON.parse(sessionStorage.getItem('songda.user')).id"))
    forced = _force_break(live_server.base_url, desk_world, agent_user_id)
    expect(presence).to_have_attribute("data-state", "available")

    back = tab.show()
    assert back["heldTimeouts"] >= 1  # the reconnection, waiting for the tab
    expect(connection).to_have_attribute("data-state", "open", timeout=10_000)
    expect(presence).to_have_attribute("data-state", "break", timeout=10_000)
    expect(presence).to_contain_text("主管安排小休")
    since = datetime.fromisoformat(forced["since"])
    assert abs(_seconds(desk.locator("#presence-timer").text_content()) - _seconds_since(since)) <= 2
    record = _call_record(call_id)
    assert record.answered_at is not None and record.ended_at is not None
    talked = (record.ended_at - record.answered_at).total_seconds()
    assert abs(_seconds(desk.locator("#call-timer").text_content()) - talked) <= 1.5  # stopped at the end
