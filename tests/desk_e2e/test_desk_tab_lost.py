"""A desk tab closed mid-call (or a crashed browser: no BYE, no more audio) does not leave the party on a
dead line: Asterisk hangs the browser's channel up after the WebRTC RTP timeout, and the call is concluded."""

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext

from backend.config import get_settings
from tests.desk_e2e import desk_calls
from tests.desk_e2e.conftest import LiveServer
from tests.desk_e2e.desk_calls import call_record_when, open_desk, place_call
from tests.desk_e2e.world import DeskWorld
from tests.telephony.raw_ami import RawAmiSession

pytestmark = [pytest.mark.asterisk, pytest.mark.slow]

desk_world = desk_calls.silent_party_world
hang_up_leftovers = desk_calls.hang_up_leftovers

MARGIN_SECONDS = 15.0  # Asterisk checks the timeout about once a second; the record follows the hang-up


@pytest.fixture()
def desk_phones() -> tuple[str, str]:
    return "1011", "1012"


def test_a_desk_tab_closed_mid_call_ends_the_call_after_the_rtp_timeout(
    live_server: LiveServer,
    desk_world: DeskWorld,
    open_context: Callable[[], BrowserContext],
    ami: RawAmiSession,
) -> None:
    context = open_context()
    desk = context.new_page()
    open_desk(desk, live_server.base_url, desk_world)
    call_id = place_call(desk, desk_world)
    agent_channel = f"PJSIP/web{desk_world.agent_extension}-"

    closed_at = time.monotonic()
    desk.close()  # the desk sends no BYE on the way out: from Asterisk's side the browser just went quiet
    timeout = get_settings().webrtc_rtp_timeout_seconds
    ami.wait_event(
        lambda e: (
            e.get("Event") == "Hangup"
            and e.get("Channel", "").startswith(agent_channel)
            and e.get("Linkedid") == call_id
        ),
        timeout=timeout + MARGIN_SECONDS,
    )
    waited = time.monotonic() - closed_at
    assert waited >= timeout - 2, f"hung up after {waited:.1f} s: not by the RTP timeout"

    record = call_record_when(
        call_id, lambda r: r.ended_at is not None, timeout=MARGIN_SECONDS, what="never concluded"
    )
    assert record.answered_at is not None
